import { IMPORT_LIMIT_MS, LISTEN_GRACE_MS, type LoadWait } from '../pool/protocol.js'
import type { ReloadInfo } from '../reload/reload-info.js'
import type { WaitParts } from '../reload/reload-wait.js'
import type { Problem } from './serving-state.js'
import { IMPORT_RETRY } from '../reload/import-retry.js'

/**
 * What the log says after a reload: what changed, and what serves now. None
 * for a failed build that no one sees (a newer edit is being built already).
 * `wait`: what its wait was made of (reload-wait.ts), so that the parts add
 * up to "serving … after the change".
 */
export function reloadLine(info: ReloadInfo, problem: Problem | undefined, wait?: WaitParts): string | undefined {
  const retry = info.changed.length === 1 && info.changed[0] === IMPORT_RETRY
  if (retry) {
    // Failed again the same way: the error and its line are above already.
    if (!info.ok && (info.sameError || !problem)) return undefined
    const why = 'the import that failed while the older generation still ran, retried now that it has ended'
    if (problem) return `↻ ${why} · ${problem.summary} · serving ${problem.page} until the next good build`
    return `↻ ${why} · load ${info.loadMs.toFixed(1)} ms · generation ${info.gen} serving`
  }
  if (problem) {
    const same = info.sameError ? ', the same error as above' : ''
    return `↻ ${describeChange(info)} · ${problem.summary}${same} · serving ${problem.page} until the next good build`
  }
  if (!info.ok) return undefined
  const asked = info.changed.length === 1 && info.changed[0] === 'reload()'
  return `↻ ${describeChange(info)}${waited(info.waitMs, wait)} · build ${info.buildMs.toFixed(1)} ms · load ${info.loadMs.toFixed(1)} ms · generation ${info.gen} serving ${info.totalMs.toFixed(1)} ms after ${asked ? 'the request' : 'the change'}`
}

// Less is one turn of the event loop (the watcher's other events of that
// poll): ~0.3 ms, said on every line it would only be noise.
const SHOWN_WAIT_MS = 1

/** " · waited 640.2 ms on 3 builds given up for later writes", or nothing for a wait under a millisecond. */
function waited(waitMs: number, wait: WaitParts | undefined): string {
  if (waitMs < SHOWN_WAIT_MS) return ''
  const parts: [number, string][] = []
  if (wait) {
    const { behindMs, givenUp, givenUpMs, echoMs, quietMs } = wait
    if (behindMs >= 0.05) parts.push([behindMs, 'for the reload before'])
    if (givenUp) parts.push([givenUpMs, `on ${givenUp} ${givenUp === 1 ? 'build' : 'builds'} given up for later writes`])
    if (echoMs >= 0.05) parts.push([echoMs, "for the rest of the save's events"])
    if (quietMs >= 0.05) parts.push([quietMs, 'for a burst of writes to end'])
  }
  const total = `waited ${waitMs.toFixed(1)} ms`
  if (parts.length === 0) return ` · ${total}`
  if (parts.length === 1) return ` · ${total} ${parts[0]![1]}`
  return ` · ${total} (${parts.map(([ms, what]) => `${ms.toFixed(1)} ms ${what}`).join(', ')})`
}

/**
 * The line for a reload whose import is still running `afterMs` after it
 * began: the save was seen and built; `serving` says what answers meanwhile.
 * The reload's own line follows once the import ends (or its error).
 */
export function stillImportingLine(info: ReloadInfo, afterMs: number, serving: string, waiting?: LoadWait): string {
  const after = `after ${afterMs / 1000} s`
  const limit = `${IMPORT_LIMIT_MS / 1000} s`
  const state =
    waiting === 'listen' || waiting === 'fastify-listen'
      ? `imported without a handler export, no listen() call yet ${after} (hotcell waits up to ${limit} while the app has work under way)`
      : waiting === 'ready'
        ? `imported, its Fastify app not ready yet ${after} (hotcell waits up to ${limit})`
        : `still importing ${after}`
  return `↻ ${describeChange(info)} · build ${info.buildMs.toFixed(1)} ms · ${state} · ${serving}`
}

/**
 * The start, past a second: the ready line waits for the entry, up to the
 * import limit. `waiting`: its import has ended, and the worker waits for a
 * listen() (workers/listen-wait.ts) or for Fastify's ready().
 */
export function startStillImportingLine(entry: string, afterMs: number, waiting?: LoadWait): string {
  const after = `after ${afterMs / 1000} s`
  const limit = `${IMPORT_LIMIT_MS / 1000} s`
  if (waiting === 'listen' || waiting === 'fastify-listen') {
    const what = waiting === 'fastify-listen' ? "its listen() (Fastify's waits for its plugins)" : 'its listen()'
    return `${entry} exports no handler and has not called listen() ${after}: hotcell waits for ${what} up to ${limit} from the import's start while the app has work under way, ${LISTEN_GRACE_MS / 1000} s if none`
  }
  if (waiting === 'ready')
    return `${entry} was imported, and its Fastify app is not ready ${after} (a plugin still loading); hotcell serves it once ready() resolves, and gives it ${limit} from the import's start`
  return `${entry} is still importing ${after} (a top-level await, or a loop?); hotcell serves it once the import ends, and gives it ${limit}`
}

function describeChange({ changed, deleted = [], added = [] }: ReloadInfo): string {
  // reload() (the r key, server.reload()) is a reason, not a file: said after the files.
  const files = changed.filter((reason) => reason !== 'reload()')
  const asked = files.length < changed.length
  if (files.length === 0) return 'reload requested'
  const gone = files.filter((file) => deleted.includes(file)).length
  const created = files.filter((file) => added.includes(file)).length
  const counts = (
    [
      [files.length - gone - created, 'changed'],
      [created, 'added'],
      [gone, 'deleted'],
    ] as const
  ).filter(([n]) => n > 0)
  let what: string
  if (files.length === 1) what = `${files[0]} ${counts[0]![1]}`
  else {
    // "3 files changed, 1 added and 1 deleted (a.ts, b.ts, c.ts, …)"
    const parts = counts.map(([n, how], i) => (i === 0 ? `${n} ${n === 1 ? 'file' : 'files'} ${how}` : `${n} ${how}`))
    const said = parts.length === 1 ? parts[0] : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`
    // Named in the order the words say them: "1 file added and 1 deleted (old.ts, new.ts)" read as if the move went backwards.
    const kind = (file: string) => (deleted.includes(file) ? 2 : added.includes(file) ? 1 : 0)
    const ordered = [...files].sort((a, b) => kind(a) - kind(b))
    what = `${said} (${ordered.slice(0, 3).join(', ')}${files.length > 3 ? ', …' : ''})`
  }
  return asked ? `${what}, and a reload requested` : what
}
