// What a bundle's default export is, told from its shape alone: the tests
// app-loader.ts runs before it decides how to serve it. Pure functions of
// the value; the decisions and their messages stay in app-loader.ts.

/** express.Router(): a (req, res, next) function with a stack of layers and handle(), but none of an app's request/response prototypes. */
export function isExpressRouter(value: unknown): boolean {
  const router = value as { stack?: unknown; handle?: unknown; request?: unknown; listen?: unknown }
  return Array.isArray(router.stack) && typeof router.handle === 'function' && router.request === undefined && router.listen === undefined
}

/** `{ __esModule: true, default: x }` (a transpiler's CommonJS output): x; anything else as it is. */
export function transpiledDefault(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || !('default' in value)) return value
  return Object.getOwnPropertyDescriptor(value, '__esModule')?.value === true ? (value as { default: unknown }).default : value
}

/** A class, which throws when called without new. */
export function isClass(value: object): boolean {
  return Function.prototype.toString.call(value).startsWith('class')
}

/** `{}`: a plain object with no properties of its own. */
export function isEmptyObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype && Reflect.ownKeys(value).length === 0
}

// The second parameter's name of a Node handler: `(req, res)`, Express's `function (req, res, next)`.
const NODE_PARAMETERS = /^(?:async\s+)?(?:function\b[^(]*)?\(\s*([\w$]+)\s*(?::[^,]*)?,\s*(res|resp|response|reply)\b/

/** `(req, res)` when a function's parameters read like a Node handler's. */
export function nodeParameters(fn: object): string | undefined {
  const match = NODE_PARAMETERS.exec(Function.prototype.toString.call(fn))
  return match ? `(${match[1]}, ${match[2]})` : undefined
}

/**
 * The first named export that could be the handler, as the default export
 * would be read: an object with fetch() (Hono, itty-router), an Express or
 * connect app (a function with listen()), a Koa app (callback()), a server;
 * else the one function exported, if there is exactly one.
 */
export function servableNamed(mod: Record<string, unknown>): { name: string; kind: string } | undefined {
  for (const [name, value] of Object.entries(mod)) {
    if (name === 'default' || value === null || (typeof value !== 'object' && typeof value !== 'function')) continue
    const app = value as { fetch?: unknown; listen?: unknown; callback?: unknown; handle?: unknown }
    if (typeof app.fetch === 'function') return { name, kind: 'has a fetch() method' }
    if (typeof value === 'function' && typeof app.listen === 'function') return { name, kind: 'is a Node app (a function with listen())' }
    if (typeof app.callback === 'function') return { name, kind: 'is a Koa app' }
  }
  // Else the one plain function exported (`export function handler(req)`): the
  // likeliest handler of a file that forgot its `export default`.
  const functions = Object.entries(mod).filter(([name, value]) => name !== 'default' && typeof value === 'function' && !isClass(value))
  if (functions.length === 1) return { name: functions[0]![0], kind: 'is a function' }
  return undefined
}
