import { readFileSync } from 'node:fs'
import { isOwnFrame, projectPath, type ProjectRoots } from './source-files.js'

export interface SourceLocation {
  file: string
  line: number
  column: number
}

const FRAME = /\(?((?:file:\/\/)?\/[^():]+|[A-Za-z]:\\[^():]+):(\d+):(\d+)\)?$/

/**
 * The first stack frame in the user's own code: not in node_modules, not in
 * Node's internals, not in hotcell's output folder (in the project for
 * hotcell's own examples and tests, where an error the fast Response's checks
 * throw would show hotcell's line). Stacks are already mapped to the .ts
 * sources by the worker.
 */
export function userFrame(stack: string | undefined, roots: ProjectRoots): SourceLocation | undefined {
  if (!stack) return undefined
  for (const line of stack.split('\n')) {
    const match = FRAME.exec(line.trim())
    if (!match || isOwnFrame(line)) continue
    const file = projectPath(match[1], roots)
    if (file) return { file, line: Number(match[2]), column: Number(match[3]) }
  }
  return undefined
}

/** A few lines of the file on disk around `line`, with a caret under `column`; undefined if the file is unreadable. */
export function codeFrame(where: SourceLocation, context = 3): string | undefined {
  const lines = fileLines(where.file)
  return lines && linesFrame(lines, 1, where, context)
}

/** The file's lines, or undefined if it is unreadable. */
export function fileLines(file: string): string[] | undefined {
  try {
    return readFileSync(file, 'utf8').split(/\r?\n/)
  } catch {
    return undefined
  }
}

/** The frame of `codeFrame` from `lines`, which are the file's from line `from` on; undefined if they do not hold `line`. */
export function linesFrame(lines: readonly string[], from: number, { line, column }: SourceLocation, context = 3): string | undefined {
  const end = from + lines.length - 1
  if (line < from || line > end) return undefined
  const first = Math.max(from, line - context)
  const last = Math.min(end, line + context)
  const width = String(last).length
  const out: string[] = []
  for (let n = first; n <= last; n++) {
    const marker = n === line ? '>' : ' '
    out.push(`${marker} ${String(n).padStart(width)} | ${lines[n - from]}`)
    if (n === line) out.push(`  ${' '.repeat(width)} | ${' '.repeat(Math.max(0, column - 1))}^`)
  }
  return out.join('\n')
}
