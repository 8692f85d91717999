// The failure page for a client that asks for JSON (`accept: application/json`:
// an app's own front end, an API client): what the text page says, as data, so
// that `await response.json()` on a 500 gives the error, not a SyntaxError
// about the text it got.
import type { ErrorData } from '../pool/protocol.js'
import { locate, shownFrames, type ErrorView, type RenderOptions } from './error-page.js'
import type { ProjectRoots } from './source-files.js'

// Deep enough for any real chain; a cause loop is cut where the text page cuts it.
const MAX_DEPTH = 8

/** Asked for by `accept`: JSON or any `+json` type, and no HTML (a browser's navigation names both). */
export function wantsJson(accept: string | undefined): boolean {
  return accept !== undefined && /\bapplication\/(?:[\w.-]+\+)?json\b/.test(accept) && !/\btext\/html\b/.test(accept)
}

export function renderJson(view: ErrorView, { roots, details }: RenderOptions): string {
  const where = details && view.error ? locate(view.error, roots) : undefined
  const body = {
    status: view.status,
    title: view.title,
    // A build error's data repeats its report (below): its name and message say which it is.
    ...(view.error && { error: details && !view.text ? errorJson(view.error, roots, 0) : { name: view.error.name, message: view.error.message } }),
    // A build error: esbuild's own report, with its locations and code frames.
    ...(details && view.text && { report: view.text.trimEnd() }),
    // The first frame in the app's files, and its code frame, as the text page shows them.
    ...(where && { location: where.slice(0, where.indexOf('\n')), codeFrame: where.slice(where.indexOf('\n') + 1) }),
    ...(view.hint && { hint: view.hint }),
    request: { method: view.request.method, url: view.request.url },
  }
  return `${JSON.stringify(body, null, 2)}\n`
}

function errorJson(e: ErrorData, roots: ProjectRoots, depth: number): Record<string, unknown> {
  return {
    name: e.name,
    message: e.message,
    ...(e.thrown && { thrown: e.thrown }),
    ...(e.code && { code: e.code }),
    ...(e.properties?.length && { properties: Object.fromEntries(e.properties.map(({ key, value }) => [key, value])) }),
    ...(e.moreProperties && { moreProperties: e.moreProperties }),
    stack: shownFrames(e.stack, roots),
    ...(e.errors && depth < MAX_DEPTH && { errors: e.errors.map((inner) => errorJson(inner, roots, depth + 1)) }),
    ...(e.cause && depth < MAX_DEPTH && { cause: errorJson(e.cause, roots, depth + 1) }),
  }
}
