// The source a code frame shows: the lines the code that threw was built
// from. A request that straddles a save, or a timer of a retiring generation,
// throws from the code before the save: its stack's line numbers are right
// for that code, and the file on disk has moved on. The worker sends the
// lines around its frames with the error (workers/source-excerpts.ts); the
// file is still read, as it always was for a frame, to tell the developer
// when what ran is no longer what is on disk.
import type { ErrorData, SourceExcerpt } from '../pool/protocol.js'
import { fileLines, linesFrame, type SourceLocation } from './code-frame.js'

export interface RanFrame {
  /** The code frame (code-frame.ts) of the lines that ran. */
  frame: string
  /** The file on disk no longer has these lines at these numbers. */
  changed: boolean
}

/** The frame at `where` from the lines `error` came with; undefined when it came without them (the file on disk is then all there is). */
export function ranFrame(error: ErrorData, where: SourceLocation): RanFrame | undefined {
  const excerpt = error.sources?.find((e) => e.file === where.file && where.line >= e.first && where.line < e.first + e.lines.length)
  return excerpt && excerptFrame(excerpt, where)
}

/** The frame at `where` from `excerpt`, a file's lines as they were built. */
export function excerptFrame(excerpt: SourceExcerpt, where: SourceLocation): RanFrame | undefined {
  const frame = excerpt.file === where.file ? linesFrame(excerpt.lines, excerpt.first, where) : undefined
  return frame ? { frame, changed: changedOnDisk(excerpt) } : undefined
}

/** The note under a frame whose file has changed since its code was loaded. */
export function changedNote(shown: string): string {
  return `${shown} has changed since this code was loaded: these are the lines that ran`
}

/**
 * The text of each file of `error`'s excerpts (its causes' and members' too)
 * as the code that ran was built from it, for a page that slices the lines
 * around a frame itself (Youch): the lines it was sent, in their places, and
 * empty lines elsewhere, which no frame's slice reaches (source-excerpts.ts
 * sends as many lines as Youch shows).
 */
export function ranTexts(error: ErrorData): Map<string, { text: string; changed: boolean }> {
  const byFile = new Map<string, SourceExcerpt[]>()
  const walk = (e: ErrorData, depth: number) => {
    for (const excerpt of e.sources ?? []) byFile.set(excerpt.file, [...(byFile.get(excerpt.file) ?? []), excerpt])
    if (depth < 8) for (const inner of [...(e.errors ?? []), ...(e.cause ? [e.cause] : [])]) walk(inner, depth + 1)
  }
  walk(error, 0)
  const texts = new Map<string, { text: string; changed: boolean }>()
  for (const [file, excerpts] of byFile) {
    const lines: string[] = []
    for (const { first, lines: some } of excerpts) {
      for (const [i, line] of some.entries()) lines[first - 1 + i] = line
    }
    const now = fileLines(file)
    texts.set(file, { text: Array.from(lines, (line) => line ?? '').join('\n'), changed: excerpts.some((excerpt) => changedOnDisk(excerpt, now)) })
  }
  return texts
}

function changedOnDisk({ file, first, lines }: SourceExcerpt, now = fileLines(file)): boolean {
  return !now || lines.some((line, i) => now[first - 1 + i] !== line)
}
