// `init.headers` of a FastResponse, read at construction as Node's Response
// reads it: copied (a change made afterwards is not sent) and checked (a
// name or value Node refuses throws its TypeError from `new Response`, where
// a `try` catches it). Kept as a flat list, names in lower case: what the
// reply to the main thread carries, so the work is not done twice.
import { isFetchApiLoaded, nativeClass, taggedAs } from './fetch-api.js'

type HeadersInit = ConstructorParameters<typeof Headers>[0]

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
// What Node's Headers refuses in a value (NUL, CR, LF, a character over 0xFF),
// and what it would trim first (leading or trailing space or tab): the native
// class says which, with its own message.
const NOT_AS_IS = /[\0\r\n\u0100-\uffff]|^[\t ]|[\t ]$/

/**
 * `init` as name, value, name, value…: a plain object or an array of pairs
 * checked here (one regular expression test per name and per value); anything
 * else, or anything these tests do not pass, through Node's own Headers, which
 * throws as `new Response` does.
 */
export function headerList(init: HeadersInit): string[] {
  const list: string[] = []
  if (Array.isArray(init)) {
    for (const pair of init as unknown[]) if (!Array.isArray(pair) || pair.length !== 2 || !add(list, pair[0], pair[1])) return nativeList(init)
    return list
  }
  if (typeof init === 'object' && init !== null && Object.getPrototypeOf(init) === Object.prototype) {
    for (const name in init) if (!add(list, name, (init as Record<string, unknown>)[name])) return nativeList(init)
    return list
  }
  // A Headers given is copied from; nothing else needs it loaded to be told apart.
  if ((isFetchApiLoaded() || taggedAs(init, 'Headers')) && init instanceof nativeClass('Headers')) return flattenHeaders(init)
  return nativeList(init)
}

function add(list: string[], name: unknown, value: unknown): boolean {
  if (typeof name !== 'string' || !TOKEN.test(name)) return false
  if (typeof value === 'symbol') return false
  const text = typeof value === 'string' ? value : String(value)
  if (NOT_AS_IS.test(text)) return false
  list.push(name.toLowerCase(), text)
  return true
}

/** What Node's Headers makes of `init`, or its TypeError. */
function nativeList(init: HeadersInit): string[] {
  return flattenHeaders(new (nativeClass('Headers'))(init))
}

/** Headers as a flat list; Node's Headers iterates each Set-Cookie separately. */
export function flattenHeaders(headers: Headers): string[] {
  const flat: string[] = []
  for (const [name, value] of headers) flat.push(name, value)
  return flat
}

export function hasName(flat: string[], name: string): boolean {
  for (let i = 0; i < flat.length; i += 2) if (flat[i] === name) return true
  return false
}

/** The list as a Headers (undici loads if it has not). */
export function toHeaders(flat: string[]): Headers {
  const headers = new (nativeClass('Headers'))()
  for (let i = 0; i < flat.length; i += 2) headers.append(flat[i]!, flat[i + 1]!)
  return headers
}
