import { codeFrame, userFrame } from './code-frame.js'
import { propertyLines } from './error-properties.js'
import { collapseNodeFrames, collapseRepeats } from './node-frames.js'
import { changedNote, ranFrame } from './ran-source.js'
import { shortenFrame, shownPath, withoutOwnFrames, type ProjectRoots } from './source-files.js'
import type { ErrorData } from '../pool/protocol.js'

/** Everything a failure page may show. Built by the dispatcher, rendered here. */
export interface ErrorView {
  status: number
  /** One line: what went wrong, from the developer's point of view. */
  title: string
  /** A thrown error (handler, import), with its causes. */
  error?: ErrorData
  /** Text already formatted with locations and frames (esbuild's build errors). */
  text?: string
  /** What to do about it, when hotcell knows. */
  hint?: string
  request: { method: string; url: string; headers?: string[] }
}

export interface RenderOptions {
  /** The developer's folders: frames outside them are not read, paths under them are shown relative to the working folder. */
  roots: ProjectRoots
  /** Stack traces and source only for clients that may see them. */
  details: boolean
}

/** Plain text: for curl and API clients, and for the terminal. */
export function renderText(view: ErrorView, { roots, details }: RenderOptions): string {
  const parts = [`${view.status} ${view.title}`, '']
  if (view.text && details) parts.push(view.text.trimEnd(), '')
  // A build error's text is esbuild's own report of it; its error is the same, as data for the browser page.
  else if (view.error) {
    if (details) {
      parts.push(describeChain(view.error, roots))
      const frame = locate(view.error, roots)
      if (frame) parts.push('', frame)
    } else parts.push(`${view.error.name}: ${view.error.message}`)
    parts.push('')
  }
  if (view.hint) parts.push(view.hint, '')
  parts.push(`${view.request.method} ${view.request.url}`)
  return parts.join('\n') + '\n'
}

/** HTML for browsers. Every piece of text is escaped: messages routinely hold `<T>` and user input. */
export function renderHtml(view: ErrorView, options: RenderOptions): string {
  const { roots, details } = options
  const sections: string[] = []
  if (view.text && details) sections.push(`<pre class="build">${escapeHtml(view.text.trimEnd())}</pre>`)
  else if (view.error) {
    const frame = details ? locate(view.error, roots) : undefined
    if (frame) sections.push(`<pre class="frame">${escapeHtml(frame)}</pre>`)
    sections.push(`<pre class="stack">${escapeHtml(details ? describeChain(view.error, roots) : `${view.error.name}: ${view.error.message}`)}</pre>`)
  }
  if (view.hint) sections.push(`<p class="hint">${escapeHtml(view.hint)}</p>`)
  const headers = details && view.request.headers ? headerTable(view.request.headers) : ''
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${view.status} ${escapeHtml(view.title)} · hotcell</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;margin:0;background:#fafafa;color:#1a1a1a}
main{max-width:960px;margin:0 auto;padding:32px 24px}
h1{font-size:20px;margin:0 0 4px;color:#b3261e}
.req{color:#555;margin:0 0 24px;font-family:ui-monospace,monospace;word-break:break-all}
pre{background:#fff;border:1px solid #e2e2e2;border-radius:6px;padding:14px 16px;overflow:auto;font:13px/1.45 ui-monospace,monospace;white-space:pre}
pre.frame{border-left:4px solid #b3261e}
.hint{background:#fff8e1;border:1px solid #f0d36b;border-radius:6px;padding:10px 14px}
table{border-collapse:collapse;font:13px ui-monospace,monospace}td{padding:2px 12px 2px 0;vertical-align:top;word-break:break-all}
footer{color:#888;font-size:12px;margin-top:32px}
</style>
</head>
<body>
<main>
<h1>${view.status} · ${escapeHtml(view.title)}</h1>
<p class="req">${escapeHtml(view.request.method)} ${escapeHtml(view.request.url)}</p>
${sections.join('\n')}
${headers}
<footer>hotcell development server · this page is only shown in development</footer>
</main>
</body>
</html>
`
}

/** The error, its own properties, its `AggregateError` members and its `cause` chain, with stacks (Node's frames collapsed, node-frames.ts). */
export function describeChain(error: ErrorData, roots: ProjectRoots): string {
  const lines: string[] = []
  const walk = (e: ErrorData, prefix: string, depth: number) => {
    const head = e.thrown ? `${prefix}${e.message}` : `${prefix}${e.name}: ${e.message}${e.code ? ` [${e.code}]` : ''}`
    lines.push(head)
    for (const line of propertyLines(e)) lines.push(`  ${line}`)
    for (const frame of shownFrames(e.stack, roots)) lines.push(`    ${frame}`)
    for (const [i, inner] of (e.errors ?? []).entries()) walk(inner, `  [${i}] `, depth + 1)
    if (e.cause && depth < 8) walk(e.cause, 'Caused by: ', depth + 1)
  }
  walk(error, '', 0)
  return lines.join('\n')
}

/** A stack's `at …` lines as pages show them: hotcell's frames left out, Node's and repeats collapsed, paths shortened. */
export function shownFrames(stack: string | undefined, roots: ProjectRoots): string[] {
  return collapseRepeats(collapseNodeFrames(stackFrames(stack))).map((frame) => shortenFrame(frame, roots))
}

function stackFrames(stack: string | undefined): string[] {
  if (!stack) return []
  return withoutOwnFrames(stack)
    .split('\n')
    .filter((line) => /^\s+at /.test(line))
    .map((line) => line.trim())
}

/**
 * `file:line:column` and the code frame of the first frame in the user's
 * sources, along the cause chain (and first errors of AggregateErrors): of the lines that ran (ran-source.ts), with
 * a note when the file has changed since, or of the file when the error came
 * without them.
 */
export function locate(error: ErrorData, roots: ProjectRoots): string | undefined {
  // An AggregateError V8 made (Promise.any) has no frames: its first error's do.
  for (let e: ErrorData | undefined = error; e; e = e.cause ?? e.errors?.[0]) {
    const where = userFrame(e.stack, roots)
    if (!where) continue
    const ran = ranFrame(e, where)
    const frame = ran?.frame ?? codeFrame(where)
    const shown = shownPath(where.file, roots)
    if (frame) return `${shown}:${where.line}:${where.column}\n${ran?.changed ? `${changedNote(shown)}\n` : ''}${frame}`
  }
  return undefined
}

function headerTable(flat: string[]): string {
  const rows: string[] = []
  for (let i = 0; i < flat.length; i += 2) rows.push(`<tr><td>${escapeHtml(flat[i]!)}</td><td>${escapeHtml(flat[i + 1]!)}</td></tr>`)
  return `<details><summary>Request headers</summary><table>${rows.join('')}</table></details>`
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}
