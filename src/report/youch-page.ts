// The only module that imports youch: the HTML error page for browsers.
// Youch (used by AdonisJS and Miniflare) renders the stack with code frames,
// the cause chain, AggregateError members and the request, and escapes all of
// it. It is handed an Error rebuilt from our ErrorData: errors cross threads
// as data, and their stacks are already mapped to the .ts sources.
import { readFile } from 'node:fs/promises'
import { describeChain, escapeHtml, renderHtml, type ErrorView, type RenderOptions } from './error-page.js'
import { propertyRows } from './error-properties.js'
import type { ErrorData } from '../pool/protocol.js'
import { isNodeFrame } from './node-frames.js'
import { changedNote, ranTexts } from './ran-source.js'
import { projectPath, shownPath, withoutOwnFrames } from './source-files.js'
import { dynamicImport } from '../dynamic-import.js'
import type { ErrorCauseProps } from 'youch/types'

/**
 * HTML for a browser. Youch when details may be shown, for thrown errors and
 * build errors alike (a build error comes with a frame at its location);
 * hotcell's own page for clients that may not see stacks, and if Youch
 * itself fails.
 */
export async function renderBrowserPage(view: ErrorView, options: RenderOptions): Promise<string> {
  if (!options.details || !view.error) return renderHtml(view, options)
  try {
    // Imported on the first page: youch took ~55 ms to import, on the start path of every server.
    const { BaseComponent, Youch } = await dynamicImport<typeof import('youch')>('youch')
    const youch = new Youch()
    // Youch's own cause card dumps the cause as an object, shown collapsed
    // ("Error { ▸ }"): its message and stack took a click each. The chain is
    // text here, as on the text page: message, code, properties, mapped frames.
    const cause = view.error.cause
    if (cause) {
      const chain = `Caused by: ${describeChain(cause, options.roots)}`
      youch.templates.use(
        'errorCause',
        new (class extends BaseComponent<ErrorCauseProps> {
          async toHTML() {
            return `<section><div class="card"><div class="card-heading"><div><h3 class="card-title">Error Cause</h3></div></div><div class="card-body"><pre class="hotcell-cause">${escapeHtml(chain)}</pre></div></div></section>`
          }
          async toANSI() {
            return ''
          }
        })(false),
      )
      youch.templates.injectStyles('.hotcell-cause{margin:0;overflow:auto;white-space:pre;font:13px/1.6 ui-monospace,SFMono-Regular,Menlo,monospace}')
    }
    // The lines that ran where the error came with them (ran-source.ts): the file may have changed since.
    const ran = ranTexts(view.error)
    youch.defineSourceLoader(async (frame) => {
      const file = projectPath(frame.fileName, options.roots)
      if (!file) return undefined
      return { contents: ran.get(file)?.text ?? (await readFile(file, 'utf8')) }
    })
    const changed = [...ran].filter(([file, { changed }]) => changed && projectPath(file, options.roots))
    if (changed.length)
      youch.metadata.group('hotcell', { Source: changed.map(([file]) => ({ key: 'changed', value: changedNote(shownPath(file, options.roots)) })) })
    if (view.hint) youch.metadata.group('hotcell', { 'What now': { key: 'hint', value: view.hint } })
    // Youch escapes a row's value but prints its key and the section's name as HTML: both may come from the thrown value.
    const properties = propertyRows(view.error)
    if (properties.length)
      youch.metadata.group(
        'Properties',
        Object.fromEntries(properties.map(({ of, rows }) => [escapeHtml(of), rows.map(({ key, value }) => ({ key: escapeHtml(key), value }))])),
      )
    return await youch.toHTML(toError(view.error), {
      title: `${view.status} · ${view.title}`,
      request: { method: view.request.method, url: view.request.url, headers: headerObject(view.request.headers ?? []) },
    })
  } catch {
    return renderHtml(view, options)
  }
}

function toError(data: ErrorData, depth = 0): Error {
  const error =
    data.errors && depth < 8
      ? new AggregateError(
          data.errors.map((e) => toError(e, depth + 1)),
          data.message,
        )
      : new Error(data.message)
  // As the text page heads it: "Error: relation "users" does not exist [42P01]". Youch shows no code.
  if (data.code) error.message = `${data.message} [${data.code}]`
  error.name = data.name
  // Without frames of its own, the rebuilt error must not show hotcell's.
  const stack = data.stack ? withoutOwnFrames(data.stack) : ''
  // Youch reads a stack without frames (a thrown string, Node's SyntaxError
  // for a package that does not parse) as one frame named after the message,
  // at "…:undefined": no stack shows the message alone. So does a stack of
  // Node's frames only, which Youch would list as an empty card (it hides
  // them until "View All Frames"); with other frames, they stay for that switch.
  error.stack = hasFramesOutsideNode(stack) ? stack : ''
  if (data.code) (error as Error & { code?: string }).code = data.code
  if (data.cause && depth < 8) error.cause = toError(data.cause, depth + 1)
  return error
}

/** A frame whose code is not Node's (node-frames.ts). */
function hasFramesOutsideNode(stack: string): boolean {
  return stack.split('\n').some((line) => /^\s+at /.test(line) && !isNodeFrame(line))
}

function headerObject(flat: string[]): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {}
  for (let i = 0; i < flat.length; i += 2) {
    const name = flat[i]!.toLowerCase()
    const value = flat[i + 1]!
    const seen = headers[name]
    headers[name] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value]
  }
  return headers
}
