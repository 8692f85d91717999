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

/** A few lines of source around `line`, with a caret under `column`; undefined if the file is unreadable. */
export function codeFrame({ file, line, column }: SourceLocation, context = 3): string | undefined {
  let source: string
  try {
    source = readFileSync(file, 'utf8')
  } catch {
    return undefined
  }
  const lines = source.split(/\r?\n/)
  if (line < 1 || line > lines.length) return undefined
  const first = Math.max(1, line - context)
  const last = Math.min(lines.length, line + context)
  const width = String(last).length
  const out: string[] = []
  for (let n = first; n <= last; n++) {
    const marker = n === line ? '>' : ' '
    out.push(`${marker} ${String(n).padStart(width)} | ${lines[n - 1]}`)
    if (n === line) out.push(`  ${' '.repeat(width)} | ${' '.repeat(Math.max(0, column - 1))}^`)
  }
  return out.join('\n')
}
