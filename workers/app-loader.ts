import type { ErrorData } from '../src/protocol.js'
import { describe, toErrorData } from './error-data.js'

export interface FetchContext {
  waitUntil(promise: Promise<unknown>): void
  passThroughOnException(): void
}
export type FetchFunction = (request: Request, env: Record<string, string | undefined>, ctx: FetchContext) => unknown

export type LoadedApp = { ok: true; fetch: FetchFunction } | { ok: false; phase: 'import' | 'shape'; error: ErrorData }

const EXPECTED = [
  'Export a handler as the default export, one of:',
  '  export default { fetch(request, env, ctx) { return new Response("hi") } }',
  '  export default (request) => new Response("hi")',
].join('\n')

/** Import the bundle and find the handler in it. Never throws: failures come back as data. */
export async function loadApp(bundleUrl: string, entry: string, style: 'auto' | 'fetch' | 'node'): Promise<LoadedApp> {
  let mod: Record<string, unknown>
  try {
    mod = (await import(bundleUrl)) as Record<string, unknown>
  } catch (error) {
    return { ok: false, phase: 'import', error: toErrorData(error) }
  }
  return resolveHandler(mod, entry, style)
}

function resolveHandler(mod: Record<string, unknown>, entry: string, style: 'auto' | 'fetch' | 'node'): LoadedApp {
  const exported = mod.default
  if (exported === undefined) {
    const named = Object.keys(mod)
    const found = named.length ? `It has only named exports: ${named.join(', ')}.` : 'It exports nothing.'
    return shapeError(`${entry} has no default export. ${found}\n${EXPECTED}`)
  }
  if (typeof exported === 'object' && exported !== null && typeof (exported as { fetch?: unknown }).fetch === 'function') {
    const app = exported as { fetch: FetchFunction }
    return { ok: true, fetch: (request, env, ctx) => app.fetch(request, env, ctx) }
  }
  if (typeof exported === 'function') {
    const nodeStyle = style === 'node' || (style === 'auto' && exported.length >= 2)
    if (nodeStyle) {
      return shapeError(
        `The default export of ${entry} is ${describe(exported)}, which looks like a Node-style (req, res) handler. ` +
          `This version of hotcell serves fetch handlers only.\n${EXPECTED}\n` +
          `If it really is a fetch handler, pass --handler fetch.`,
      )
    }
    return { ok: true, fetch: exported as FetchFunction }
  }
  return shapeError(`The default export of ${entry} is ${describe(exported)}.\n${EXPECTED}`)
}

function shapeError(message: string): LoadedApp {
  return { ok: false, phase: 'shape', error: { name: 'HandlerShapeError', message } }
}
