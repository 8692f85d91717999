// A build that failed, as the reloader and the error page read it: its
// errors formatted by esbuild, as data, and which imports were not found.
import type * as esbuild from 'esbuild'
import { dirname, resolve } from 'node:path'
import type { ErrorData } from '../pool/protocol.js'
import { type BuildMessage, buildErrorData } from '../report/build-errors.js'
import { withLoaderHint } from '../config/loaders.js'
import { withoutStubNames } from './source-packages.js'
import { oneBasedColumns } from '../report/build-columns.js'

export interface BuildFailure {
  ok: false
  n: number
  ms: number
  /** esbuild's formatted errors (and alias-imports.ts's, in their shape): file:line:column and a code frame. */
  text: string
  /** The same with terminal colours. */
  ansi: string
  /** The errors as data, located in the sources: the browser page shows them like a thrown error. */
  error: ErrorData
  /** Absolute paths named by the errors: watch them, a failed build has no metafile. */
  files: string[]
  /**
   * Where the relative imports esbuild could not resolve point (`../shared/util`
   * from src/app.ts: <root>/shared/util), and the `paths` aliases
   * (alias-imports.ts); the entry itself when it is gone.
   */
  missing: string[]
  /** Every error is one of `missing`: nothing but files not found (failed-build-hold.ts). */
  onlyMissing: boolean
  /** Stopped for a newer save (Builder.cancel()): never shown, built again with that save. */
  canceled?: true
}

export interface FailureParts {
  n: number
  /** When the build began (performance.now()). */
  started: number
  /** esbuild's errors, or hotcell's in their shape. */
  messages: BuildMessage[]
  /** Absolute paths to watch besides those the messages locate. */
  files?: string[]
  missing: string[]
  onlyMissing: boolean
  /** The error's code, for what the page advises (build-errors.ts's ENTRY_GONE_CODE). */
  code?: string
}

/** `manifests`: the source packages' package.json files, watched after a failure too (source-packages.ts). */
export async function buildFailure(api: typeof esbuild, cwd: string, manifests: string[], parts: FailureParts): Promise<BuildFailure> {
  const messages = parts.messages.map((message) => withoutStubNames(withLoaderHint(message), cwd))
  const data = buildErrorData(messages, cwd)
  const located = messages.flatMap((m) => (m.location?.file ? [resolve(cwd, m.location.file)] : []))
  return {
    ok: false,
    n: parts.n,
    ms: performance.now() - parts.started,
    error: parts.code ? { ...data, code: parts.code } : data,
    text: oneBasedColumns((await api.formatMessages(messages, { kind: 'error', color: false })).join('')),
    ansi: oneBasedColumns((await api.formatMessages(messages, { kind: 'error', color: true })).join('')),
    files: [...new Set([...located, ...(parts.files ?? []), ...manifests])],
    missing: [...new Set(parts.missing)],
    onlyMissing: parts.onlyMissing,
  }
}

/** A build stopped for a newer save: no esbuild message to format, nothing to show. */
export function canceledBuild(n: number, started: number): BuildFailure {
  const text = 'The build was canceled for a newer save.\n'
  return {
    ok: false,
    n,
    ms: performance.now() - started,
    text,
    ansi: text,
    error: { name: 'BuildCanceled', message: text.trim() },
    files: [],
    missing: [],
    onlyMissing: false,
    canceled: true,
  }
}

/** Where each error's relative import points (absolute), or undefined for an error of another kind. */
export function relativeTargets(messages: BuildMessage[], cwd: string): (string | undefined)[] {
  return messages.map((m) => {
    const specifier = /^Could not resolve "(\.\.?\/[^"]*)"/.exec(m.text)?.[1]
    return specifier && m.location?.file ? resolve(cwd, dirname(m.location.file), specifier) : undefined
  })
}
