// What a worker is started with. Types only: re-exported by protocol.ts, the
// one module of src/ that workers/ imports.

/** What every worker of a generation is started with. */
export interface WorkerData {
  gen: number
  /** Known at boot for a generation created for a build; absent for a standby. */
  bundleUrl?: string
  /** The pool added --expose-internals to the worker's flags (worker-pool.ts): the app does not see it. */
  exposedInternals?: true
  /** A module importing the packages the bundle imports (builder.ts), loaded while the worker waits. */
  preloadUrl: string
  /** How the default export is interpreted. */
  handler: 'auto' | 'fetch' | 'node'
  /** The last bundle's handler was Node-style: load the Node adapter while waiting for this one. */
  nodeAdapter?: boolean
  /** An earlier generation's code loaded Node's fetch classes: load them while waiting for the bundle. */
  warmFetchApi?: boolean
  /** Entry file as the user named it, for messages. */
  entry: string
  /** Where hotcell listens: what a server the entry starts itself reports as its address(). */
  serverAddress?: { address: string; family: string; port: number }
  /** With reloading on, the project's folders: the files the app reads and writes in them are reported (workers/file-reads.ts). */
  readsIn?: readonly string[]
}
