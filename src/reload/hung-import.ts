// An entry whose import never ends (a loop at its top level, a top-level
// await on something that never comes) holds its worker: that worker cannot
// answer with the error page, as a worker whose import threw does, and every
// request sent to it waited for the --timeout and got a 504. So the page comes
// from the main thread, like a build error's, and the workers are ended.
import { resolve } from 'node:path'
import type { Target } from '../http/dispatch.js'
import type { Generation } from '../pool/generation.js'
import type { ErrorData } from '../pool/protocol.js'
import { locateStuck } from '../pool/stuck-location.js'
import { runsJavaScript } from '../pool/stuck-workers.js'
import { fixHint, type Refresh } from '../report/serving-state.js'
import type { ProjectRoots } from '../report/source-files.js'

const WAITING =
  ' Its worker sat idle, running no code: the import waits on a top-level await (in the entry or a module it imports) whose promise never settles, such as a connection to a database or a service that does not answer.'
// An exported Fastify instance whose ready() never resolves: the import itself ended.
const WAITING_READY =
  ' Its worker sat idle, running no code: a plugin waits on a promise that never settles, such as a connection to a database or a service that does not answer.'

/**
 * Where the import is stuck, as a failure page to serve instead of
 * `generation` (which is ended), and the same for the terminal.
 */
export async function hungImport(
  generation: Generation,
  roots: ProjectRoots,
  refresh: Refresh,
): Promise<{ target: Extract<Target, { kind: 'failure' }>; report: string }> {
  const worker = generation.threads[0]
  // A worker that sits waiting is held by a top-level await: no code to point at (the inspector cannot pause it).
  const waiting = worker ? !(await runsJavaScript(worker)) : false
  const where = worker && !waiting ? await locateStuck(worker, roots) : undefined
  // Requests it took before the import hung get the page below (NotBegunError in dispatch.ts).
  void generation.destroy(undefined, undefined, true)
  const [place = '', ...frame] = where?.split('\n') ?? []
  const at = /^(.+?):(\d+):(\d+)/.exec(place)
  const error: ErrorData = {
    name: 'ImportTimeoutError',
    message: `${generation.loadError?.message ?? 'The entry did not finish importing.'}${where ? ` It is stuck at ${place}.` : ''}${waiting ? (generation.waitingFor === 'ready' ? WAITING_READY : WAITING) : ''}`,
    // A frame of the .ts source, which the terminal's summary and the page point at.
    ...(at ? { stack: `ImportTimeoutError\n    at ${resolve(roots.cwd, at[1]!)}:${at[2]}:${at[3]}` } : {}),
  }
  return {
    target: {
      kind: 'failure',
      // The same bundle built again would hang as long: missedAtStart (scan-gap.ts) compares with it.
      bundleUrl: generation.bundleUrl,
      view: { status: 500, title: 'The entry did not finish importing', error, hint: fixHint(refresh, 'the code') },
    },
    report: [`${error.name}: ${error.message}`, ...frame].join('\n'),
  }
}

/** Is `target` the page of an import that never ended (its build was good)? */
export function isHungImport(target: Target | Promise<Target>): boolean {
  return !(target instanceof Promise) && target.kind === 'failure' && target.view.error?.name === 'ImportTimeoutError'
}
