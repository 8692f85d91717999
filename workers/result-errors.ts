// What the client and terminal are told when the handler returned, without
// throwing, something that cannot be sent. Such a failure has no stack of the
// app's (the handler had returned), so where the handler is defined stands in
// for it (handler-location.ts): the page then shows the .ts line and its code.
// Built only once a request has failed this way: never on a good response.
import type { ErrorData } from '../src/pool/protocol.js'
import { describe } from './error-data.js'
import { withSources } from './source-excerpts.js'
import type { SourceLocation } from './handler-location.js'

/** Where the handler is defined, when it can be told. */
export type HandlerWhere = () => SourceLocation | undefined

/** The handler returned `result`, which is not a Response. */
export function notAResponse(result: unknown, where: HandlerWhere | undefined): ErrorData {
  let hint = ''
  // An app where a response should be: the default export is a factory (`async () => app`), called once per request.
  if (typeof (result as { fetch?: unknown } | null)?.fetch === 'function')
    hint = ' It returned an app: if the default export makes the app, export what it makes (`export default await createApp()`).'
  // What itty-router, Elysia and Nitro accept and send as JSON; a Response has to say so.
  else if (isJsonShaped(result)) hint = ' To send it as JSON: `return Response.json(value)`.'
  return located(
    { name: 'TypeError', message: `The handler returned ${describe(result)}; expected a Response (for example \`return new Response("hi")\`).${hint}` },
    where,
  )
}

/** The handler returned Response.error(). */
export function networkErrorReturned(where: HandlerWhere | undefined): ErrorData {
  // A network error has no status line to send (a fetch() caller sees a failed fetch).
  const message =
    'The handler returned Response.error(), a network error: it has no status to send. Throw an error instead, or return a Response with a status.'
  return located({ name: 'TypeError', message }, where)
}

/** A plain object or an array: what `JSON.stringify` sends as it is meant. */
function isJsonShaped(value: unknown): boolean {
  if (Array.isArray(value)) return true
  if (typeof value !== 'object' || value === null) return false
  const proto = Object.getPrototypeOf(value) as unknown
  return proto === Object.prototype || proto === null
}

/** The error with the handler's definition as its one frame, as the Node adapter names a mis-guessed handler. */
function located(error: ErrorData, where: HandlerWhere | undefined): ErrorData {
  const at = where?.()
  if (!at) return error
  error.stack = `${error.name}: ${error.message}\n    at the handler (${at.file}:${at.line}:${at.column})`
  return withSources(error)
}
