// Node's Request, Response, Headers and FormData, loaded when first needed.
// Node defines them as getters on globalThis that load its fetch
// implementation (undici) on first read: in a fresh worker that read took
// ~14 ms on Node 20 and ~23 ms on Node 24, and two workers that made it
// held 11 MiB more than two that did not. A handler that answers a
// FastResponse and reads only the method, URL and body of its LazyRequest
// never needs undici, so the worker's own code reads these classes only when
// something does, and notices when user code did (to warm them up in the
// next generation before its first request).

import type { WorkerData } from '../src/pool/protocol.js'
import { hideInternalsFlag } from './internals-flag.js'
const { workerData } = process.getBuiltinModule('node:worker_threads')

export type FetchClassName = 'Request' | 'Response' | 'Headers' | 'FormData'
type FetchClass<N extends FetchClassName> = (typeof globalThis)[N]

const NAMES: readonly FetchClassName[] = ['Request', 'Response', 'Headers', 'FormData']
const UNDICI = 'internal/deps/undici/undici'
const readers = new Map<FetchClassName, () => unknown>()
// Node 20 defines them as JS getters, which can be kept and called later.
// Newer Node versions (24 here) define V8 lazy data properties instead:
// reading or redefining one loads undici (deleting it does not), so nothing
// can keep them lazy while the runtime installs its own Request and Response.
// There the classes come from Node's own undici module, the one those
// properties load, which a worker started with --expose-internals can
// require (worker-pool.ts): on Node 24, undici loaded at every worker's boot
// cost ~8 MiB and ~15-20 ms of its CPU. Without the flag (a Node started with
// flags of its own, which workers then inherit) undici is loaded now, as it
// always was before this module.
const fromModule = undiciModule()
let loadedAtImport = false
for (const name of NAMES) {
  if (fromModule) {
    readers.set(name, () => fromModule()[name])
    continue
  }
  const descriptor = Object.getOwnPropertyDescriptor(globalThis, name)
  const get = descriptor?.get
  if (!get) loadedAtImport = true
  readers.set(name, get ? () => get.call(globalThis) : () => descriptor?.value)
}

/** Node's undici module, required when called; undefined where this worker cannot require it. */
function undiciModule(): (() => Record<FetchClassName, unknown>) | undefined {
  if (!process.execArgv.includes('--expose-internals')) return undefined
  const require = process.getBuiltinModule('node:module').createRequire(import.meta.url)
  hideInternalsFlag(workerData as Partial<WorkerData> | null)
  try {
    // Resolves a builtin without loading it: a Node whose undici lives elsewhere gets the getters.
    require.resolve(UNDICI)
  } catch {
    return undefined
  }
  return () => require(UNDICI) as Record<FetchClassName, unknown>
}

/** What user code reads as the name of a class or function standing in for Node's (`Response.name`, `fetch.name`). */
export function named<T extends object>(value: T, name: string): T {
  return Object.defineProperty(value, 'name', { value: name, configurable: true })
}

/** Replace global `name` without reading it: reading a V8 lazy data property loads undici. */
export function defineGlobal(name: string, descriptor: PropertyDescriptor): void {
  delete (globalThis as Record<string, unknown>)[name]
  Object.defineProperty(globalThis, name, descriptor)
}

const classes = new Map<FetchClassName, unknown>()
let loaded = loadedAtImport
const listeners: Array<() => void> = []

/**
 * Node's own class, loading undici if it is not yet. Leaves the global as it
 * is: Node's getter replaces itself with the class, which must not undo a
 * global the runtime installed (Request, Response).
 */
export function nativeClass<N extends FetchClassName>(name: N): FetchClass<N> {
  let value = classes.get(name)
  if (value === undefined) {
    const installed = Object.getOwnPropertyDescriptor(globalThis, name)
    value = readers.get(name)!()
    if (installed) Object.defineProperty(globalThis, name, installed)
    classes.set(name, value)
    fetchApiLoaded()
  }
  return value as FetchClass<N>
}

/** Whether undici was loaded in this worker (as far as this module saw). */
export function isFetchApiLoaded(): boolean {
  return loaded
}

/** Undici was loaded by a path that does not go through `nativeClass` (the global fetch). */
export function fetchApiLoaded(): void {
  if (loaded) return
  loaded = true
  for (const listener of listeners.splice(0)) listener()
}

/** Run `listener` once undici is loaded (now, if it is). */
export function onFetchApiLoad(listener: () => void): void {
  if (loaded) listener()
  else listeners.push(listener)
}

/**
 * Define global `name` as `make()`, made on first read (as Node does), and
 * replaceable by user code.
 */
export function lazyGlobal(name: string, make: () => unknown): void {
  const settle = (value: unknown) => Object.defineProperty(globalThis, name, { value, writable: true, configurable: true, enumerable: false })
  defineGlobal(name, {
    get() {
      const value = make()
      settle(value)
      return value
    },
    set: settle,
    configurable: true,
    enumerable: false,
  })
}

/** Headers and FormData stay Node's, read through `nativeClass`, so that user code reading them is noticed. */
export function watchFetchGlobals(): void {
  for (const name of ['Headers', 'FormData'] as const) lazyGlobal(name, () => nativeClass(name))
}

/** Whether `value` carries the tag a native object of that class has: checked before loading undici to ask `instanceof`. */
export function taggedAs(value: unknown, name: FetchClassName): boolean {
  return typeof value === 'object' && value !== null && Object.prototype.toString.call(value) === `[object ${name}]`
}

interface ForwardOptions {
  /** Node's class whose prototype members are forwarded. */
  native: 'Request' | 'Response'
  /** The native object behind an instance, made on demand. */
  target(self: object): object
  /** Run before a forwarded method; a value other than undefined is returned instead. */
  guard?(self: object, key: string | symbol): unknown
  /** The class's static members come from the native class too (`Response.error()`) once undici is loaded. */
  statics?: boolean
}

/**
 * Give `Class` every member of Node's `Request` or `Response` that it does
 * not define itself, forwarded to the native object behind each instance,
 * and chain its prototype to the native one. Until undici loads, the members
 * in `known` (the native prototype's, the same on every supported Node) are
 * placeholders that load it on first use; it then replaces them.
 */
export function forwardToNative(Class: { prototype: object }, known: readonly (string | symbol)[], options: ForwardOptions): void {
  const proto = Class.prototype
  const own = new Set(Reflect.ownKeys(proto))
  let wired = false
  const wire = () => {
    if (wired) return
    wired = true
    const Native = nativeClass(options.native)
    for (const key of Reflect.ownKeys(Native.prototype)) {
      if (key === 'constructor' || own.has(key)) continue
      const descriptor = Object.getOwnPropertyDescriptor(Native.prototype, key)!
      if (typeof descriptor.value === 'function') {
        const method = descriptor.value as (...args: unknown[]) => unknown
        Object.defineProperty(proto, key, {
          value: function (this: object, ...args: unknown[]) {
            const instead = options.guard?.(this, key)
            if (instead !== undefined) return instead
            return method.apply(options.target(this), args)
          },
          writable: true,
          configurable: true,
        })
      } else if (descriptor.get) {
        const get = descriptor.get
        Object.defineProperty(proto, key, {
          get(this: object) {
            return get.call(options.target(this))
          },
          configurable: true,
        })
      }
    }
    // A placeholder for a member this Node does not have goes.
    for (const key of known) if (!own.has(key) && !Reflect.has(Native.prototype, key)) delete (proto as Record<string | symbol, unknown>)[key]
    Object.setPrototypeOf(proto, Native.prototype)
    if (options.statics) Object.setPrototypeOf(Class, Native)
  }
  for (const key of known) {
    if (own.has(key)) continue
    Object.defineProperty(proto, key, {
      get(this: object) {
        wire()
        return Reflect.get(proto, key, this)
      },
      configurable: true,
    })
  }
  onFetchApiLoad(wire)
}

/** Load Node's fetch classes now, as a first Request and Response would (the warm-up of runtime.ts). */
export async function warmFetchApi(): Promise<void> {
  try {
    const request = new Request('http://localhost/', { method: 'POST', body: 'x' })
    await request.arrayBuffer()
    await new Response('x').arrayBuffer()
  } catch {
    // Nothing depends on the warm-up succeeding.
  }
}
