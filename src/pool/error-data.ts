// How an error crosses the thread boundary. Types only: re-exported by
// protocol.ts, the one module of src/ that workers/ imports.

/**
 * An error as plain data. Errors are never sent as cloned `Error` objects:
 * structured clone drops their class and own properties such as `code`.
 */
export interface ErrorData {
  name: string
  message: string
  stack?: string
  code?: string
  /** Set when something other than an Error was thrown: what it was. */
  thrown?: string
  cause?: ErrorData
  /** The inner errors of an AggregateError. */
  errors?: ErrorData[]
  /**
   * The error's own enumerable properties but the fields above (pg's `detail`,
   * Prisma's `meta`), or all of a thrown object's, each value as util.inspect
   * prints it on one line, bounded (workers/own-properties.ts).
   */
  properties?: OwnProperty[]
  /** How many more properties there were than `properties` holds. */
  moreProperties?: number
  /** The source lines around the stack's frames in the app's own files, as the code that ran was built from them (workers/source-excerpts.ts). */
  sources?: SourceExcerpt[]
}

/** One own property of a thrown value: its key, and its value as text. */
export interface OwnProperty {
  key: string
  value: string
}

/** Lines of a source file as a bundle was built from it: the file on disk may have changed since. */
export interface SourceExcerpt {
  /** Absolute path, as the mapped stack names it. */
  file: string
  /** The line number of `lines[0]`, from 1. */
  first: number
  lines: string[]
}
