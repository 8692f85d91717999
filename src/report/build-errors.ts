// esbuild's build errors, made to read like the rest of hotcell's reports.
// - An error at the very end of a file ("Unexpected end of file" after
//   `export const x = (`) is placed by esbuild on the empty line after the
//   last newline: a caret under nothing. It is moved to the end of the last
//   line that has code, which is where the developer has to look.
// - The errors also become ErrorData with a stack frame at their location, so
//   the browser page is rendered like a runtime error (code frame, hint).
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import type { ErrorData } from '../pool/protocol.js'

/** The part of esbuild's Message this module reads and writes (esbuild's own type, kept structural). */
export interface BuildMessage {
  text: string
  location: {
    file: string
    line: number
    column: number
    length: number
    lineText: string
  } | null
}

/** The messages with end-of-file locations moved onto the code before them. `cwd` is esbuild's absWorkingDir. */
export function atCode<T extends BuildMessage>(messages: T[], cwd: string): T[] {
  return messages.map((message) => {
    const location = message.location
    if (location?.lineText.trim() !== '') return message
    let lines: string[]
    try {
      lines = readFileSync(resolve(cwd, location.file), 'utf8').split(/\r?\n/)
    } catch {
      return message
    }
    // Only when nothing but blank lines follows: a blank line in the middle is where the error is.
    if (lines.slice(location.line - 1).some((line) => line.trim() !== '')) return message
    let last = location.line - 1
    while (last > 0 && lines[last - 1]!.trim() === '') last--
    if (last === 0) return message
    const lineText = lines[last - 1]!
    return { ...message, location: { ...location, line: last, column: lineText.length, length: 0, lineText } }
  })
}

/** The code of a failed build's error when the entry was deleted, moved or renamed under the server: restoring it is the fix. */
export const ENTRY_GONE_CODE = 'ERR_ENTRY_GONE'

/** The build error of an entry deleted (or moved, or renamed) under the server. */
export function entryGone(entry: string, cwd: string): BuildMessage {
  const label = relative(cwd, entry)
  const renamed = renamedTo(entry)
  const shown = renamed && relative(cwd, renamed)
  const restart = shown ? `restart hotcell with its new path: hotcell ${shown.startsWith('..') ? renamed : shown}` : 'restart hotcell with its new path'
  return { text: `The entry ${label.startsWith('..') ? entry : label} was deleted, moved or renamed. Restore it, or ${restart}.`, location: null }
}

// A rename (mv, git mv, an editor's) changes a file's ctime and not its mtime; a save changes both.
const RENAMED_WITHIN_MS = 60_000
const CODE = /\.[cm]?[jt]sx?$/

/** The one code file beside the gone entry that was renamed a moment ago (`mv src/app.ts src/main.ts`); undefined if none or several. */
function renamedTo(entry: string): string | undefined {
  let names: string[]
  try {
    names = readdirSync(dirname(entry)).filter((name) => CODE.test(name) && !name.endsWith('.d.ts'))
  } catch {
    return undefined
  }
  const now = Date.now()
  const found = names
    .map((name) => join(dirname(entry), name))
    .filter((file) => {
      const stats = statSync(file, { throwIfNoEntry: false })
      return stats?.isFile() && now - stats.ctimeMs < RENAMED_WITHIN_MS && stats.ctimeMs - stats.mtimeMs > 1000
    })
  return found.length === 1 ? found[0] : undefined
}

/** The build errors as one error (several as an aggregate), each with its location as its only stack frame. */
export function buildErrorData(messages: BuildMessage[], cwd: string): ErrorData {
  const one = (message: BuildMessage): ErrorData => {
    // From 1, as a stack frame counts, and as the report shows it (build-columns.ts); esbuild's own count is from 0.
    const at = message.location ? `\n    at ${resolve(cwd, message.location.file)}:${message.location.line}:${message.location.column + 1}` : ''
    return { name: 'BuildError', message: message.text, stack: `BuildError: ${message.text}${at}` }
  }
  if (messages.length === 1) return one(messages[0]!)
  return { name: 'BuildError', message: `${messages.length} errors`, errors: messages.map(one), stack: `BuildError: ${messages.length} errors` }
}
