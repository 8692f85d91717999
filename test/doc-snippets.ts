// The code blocks of README.md and docs/*.md that tests run as written. A
// block is marked by the comment line before its fence:
//
//   <!-- snippet: tour-app -->
//   ```ts
//   …
//   ```
//
// so the tests read the documentation itself, never a copy of it.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT } from './helpers.js'

export interface Snippet {
  name: string
  /** The fence's info string: ts, sh, … */
  lang: string
  code: string
  /** Where it is, for messages: README.md:120. */
  where: string
}

const MARKED = /<!--\s*snippet:\s*([\w-]+)\s*-->\s*\n```(\w*)[^\n]*\n([\s\S]*?)\n```/g

/** The documents the snippets come from, by path relative to the repository. */
export function documents(): Map<string, string> {
  const docs = new Map<string, string>([['README.md', readFileSync(join(ROOT, 'README.md'), 'utf8')]])
  for (const name of readdirSync(join(ROOT, 'docs'))
    .filter((n) => n.endsWith('.md'))
    .sort()) {
    docs.set(`docs/${name}`, readFileSync(join(ROOT, 'docs', name), 'utf8'))
  }
  return docs
}

/** Every marked snippet, by name; a name used twice is an error in the documents. */
export function snippets(): Map<string, Snippet> {
  const found = new Map<string, Snippet>()
  for (const [file, text] of documents()) {
    for (const match of text.matchAll(MARKED)) {
      const [, name, lang, code] = match as unknown as [string, string, string, string]
      const where = `${file}:${text.slice(0, match.index).split('\n').length + 1}`
      if (found.has(name)) throw new Error(`snippet ${name} is marked twice: ${found.get(name)!.where} and ${where}`)
      found.set(name, { name, lang, code, where })
    }
  }
  return found
}

/** The snippet `name`; fails the test with a clear message when the documents lost its marker. */
export function snippet(name: string): Snippet {
  const found = snippets().get(name)
  if (!found) throw new Error(`no code block is marked <!-- snippet: ${name} --> in README.md or docs/*.md`)
  return found
}

/** The text of `document` between the marker comments `<!-- snippet: name -->` … `<!-- /snippet -->` (prose the tests check). */
export function prose(document: string, name: string): string {
  const text = documents().get(document) ?? ''
  const start = text.indexOf(`<!-- snippet: ${name} -->`)
  const end = text.indexOf('<!-- /snippet -->', start)
  if (start < 0 || end < 0) throw new Error(`${document} has no prose marked <!-- snippet: ${name} --> … <!-- /snippet -->`)
  return text.slice(start, end)
}

/** A line of sample output as a pattern: numbers may differ, everything else must be as shown. */
export function shapeOf(line: string): RegExp {
  const escaped = line.trim().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  return new RegExp(escaped.replace(/\d+(?:\\\.\d+)?/g, '\\d+(?:\\.\\d+)?').replace(/\bworkers?\b/g, 'workers?'))
}
