import { BenchError } from '../errors.js'
import { FAILURE_TITLES, formatMs } from '../report/fault-views.js'
import { DEFAULT_TIMEOUT_MS } from './options.js'

// Not ESM imports of node:http and node:https (docs/architecture.md#builtins).
const { request } = process.getBuiltinModule('node:http')
const { request: tlsRequest } = process.getBuiltinModule('node:https')

export interface RequestSpec {
  method: string
  path: string
  /** Flat [name, value, …]. */
  headers: string[]
  body: Buffer | undefined
}

export interface CheckResult {
  status: number
  /** Body length of the first answer. */
  bodyBytes: number
  /** True when the warm-up requests did not all return the same body length. */
  bodyVaries: boolean
  lengths: number[]
}

const CHECK_REQUESTS = 5

export interface CheckLimits {
  /** hotcell's --timeout: the server under test answers 504 past it (the baseline has no such limit). */
  timeoutMs: number
  /** False for the baseline: nothing answers 504 for it, so the check gives up at the limit itself. */
  serverTimesOut: boolean
  /** Said once a request has been waited for a while: a stuck handler must not look like a stuck bench. */
  onWait(line: string): void
  /** bench()'s: its abort ends the request under way (its socket too). */
  signal?: AbortSignal
}

/** For a server started with serve()'s defaults (the project's own bench/*.ts), checked without a word. */
const SERVE_DEFAULTS: CheckLimits = { timeoutMs: DEFAULT_TIMEOUT_MS, serverTimesOut: true, onWait() {} }

// Past this, a check request is said to be waited for. Shorter than any limit
// worth a line: with --timeout 1s the verdict itself comes within a second.
const WAIT_NOTICE_MS = 2000
// The check waits this much longer than the server's limit, so the server's
// 504 (its report is printed before the response leaves) arrives first, and
// the bench's verdict is the last thing printed. A stuck worker is answered
// after up to 0.2 s of sampling and 2 s of locating (watchdog.ts, stuck-location.ts).
const SERVER_ANSWER_GRACE_MS = 5000

// The first line of hotcell's page when the build failed or the entry could not load (reloader.ts, fault-views.ts).
const NOT_RUNNING = new RegExp(`^5\\d\\d (Build failed|${FAILURE_TITLES.import}|${FAILURE_TITLES.shape})$`)

/**
 * Before any timing: a few requests one after another. A wrong status is a
 * HotcellError (one line, exit 1): measuring an error page measures nothing.
 */
export async function checkTarget(
  label: string,
  origin: string,
  spec: RequestSpec,
  expectStatus: number | undefined,
  limits: CheckLimits = SERVE_DEFAULTS,
): Promise<CheckResult> {
  const lengths: number[] = []
  let status = 0
  const limit = formatMs(limits.timeoutMs)
  const deadlineMs = limits.timeoutMs + (limits.serverTimesOut ? SERVER_ANSWER_GRACE_MS : 0)
  for (let i = 0; i < CHECK_REQUESTS; i++) {
    const which = i === 0 ? 'the first answer' : `answer ${i + 1} of ${CHECK_REQUESTS}`
    let head: Head | undefined
    const waitingFor = () => (head ? `the end of its body: ${head.status} ${head.type || 'without a content-type'} came, then the body went on` : which)
    const notice =
      limits.timeoutMs > WAIT_NOTICE_MS
        ? setTimeout(() => limits.onWait(`checking ${spec.method} ${spec.path} on ${label} … (waiting for ${waitingFor()}, limit ${limit})`), WAIT_NOTICE_MS)
        : undefined
    const reply = await once(origin, spec, deadlineMs, (seen) => (head = seen), limits.signal)
      .catch((error: unknown) => {
        if (!(error instanceof DeadlineError)) throw error
        // The head came and the body never ended: no limit would do (server-sent events, a long poll).
        if (error.head) throw new BenchError(streaming(label, spec, error.head, error.afterMs))
        throw new BenchError(
          `${label}: ${spec.method} ${spec.path} did not finish answering within ${formatMs(deadlineMs)} during the correctness check. If it is meant to take this long, raise the limit, e.g. --timeout ${suggest(limits.timeoutMs)}`,
        )
      })
      .finally(() => clearTimeout(notice))
    status = reply.status
    const ok = expectStatus === undefined ? status >= 200 && status < 300 : status === expectStatus
    if (!ok) {
      // hotcell's own 504 for the limit (timeoutView, or lostView for a stuck worker; both a TimeoutError): its report is printed already.
      if (limits.serverTimesOut && status === 504 && /^TimeoutError: /m.test(reply.body.toString('utf8')))
        throw new BenchError(
          `${label}: ${spec.method} ${spec.path} did not answer within ${limit} (--timeout) during the correctness check; the server's report is above. If it is meant to take this long, raise the limit, e.g. --timeout ${suggest(limits.timeoutMs)}`,
        )
      const firstLine =
        reply.body
          .toString('utf8')
          .split('\n')
          .find((line) => line.trim() !== '')
          ?.trim()
          .slice(0, 160) ?? ''
      // hotcell's own page for an app that cannot run: no status to expect, a fix to make.
      if (NOT_RUNNING.test(firstLine))
        throw new BenchError(`${label}: the app cannot be measured: ${firstLine.replace(/^\d{3} /, '')} (the error is above); fix it and run the bench again`)
      // hotcell's own refusal of what the handler never saw: --expect-status would time a refusal, the serve flag lets it through.
      const refused = limits.serverTimesOut ? refusal(status, reply.body.toString('utf8'), firstLine, spec) : undefined
      if (refused) throw new BenchError(`${label}: ${spec.method} ${spec.path} answered ${status} during the correctness check: ${refused}`)
      const expected = expectStatus === undefined ? 'a 2xx status' : String(expectStatus)
      throw new BenchError(
        `${label}: ${spec.method} ${spec.path} answered ${status} during the correctness check (expected ${expected}; use --expect-status if ${status} is right)${firstLine ? `: ${firstLine}` : ''}`,
      )
    }
    lengths.push(reply.body.byteLength)
  }
  return { status, bodyBytes: lengths[0]!, bodyVaries: new Set(lengths).size > 1, lengths }
}

/**
 * Wait until requests the generator left behind have been answered: when it
 * stops, its connections close but queued tasks still run, and would steal CPU
 * from the next run. A round of fresh requests, one per worker, queues behind them.
 */
export async function drain(origin: string, spec: RequestSpec, workers: number, timeoutMs = DEFAULT_TIMEOUT_MS, signal?: AbortSignal): Promise<void> {
  for (let round = 0; round < 2 && !signal?.aborted; round++) {
    const request = () => once(origin, spec, timeoutMs + SERVER_ANSWER_GRACE_MS, undefined, signal).catch(() => undefined)
    await Promise.all(Array.from({ length: Math.max(1, workers) }, request))
  }
}

const MIB = 1024 * 1024

/** hotcell's 413 for --body-limit or 403 for --allowed-hosts (dispatch.ts, request-guard.ts): what fixes it, with the flag. */
function refusal(status: number, body: string, firstLine: string, spec: RequestSpec): string | undefined {
  if (status === 413 && firstLine === '413 Request body too large') {
    const bytes = spec.body?.byteLength ?? 0
    // A whole number of MiB above the body's size.
    return `the ${bytes.toLocaleString('en-US')}-byte body is over hotcell's body limit. Raise it with --body-limit (e.g. --body-limit ${Math.floor(bytes / MIB) + 1}mb) or bodyLimit in hotcell.config.ts`
  }
  const host = /^Blocked request: the host "(.*)" is not allowed/.exec(firstLine)?.[1]
  if (status === 403 && host !== undefined) {
    const allow = /--allowed-hosts (\S+)/.exec(body)?.[1] ?? '<name>'
    return `hotcell refused the host "${host}" (DNS-rebinding protection). Allow it with --allowed-hosts ${allow} or allowedHosts in hotcell.config.ts`
  }
  return undefined
}

// The server's own 504 page suggests 60 s (report/fault-views.ts): the bench's
// line under it said "e.g. --timeout 2s" for a 1 s limit, too little for the
// 3 s handler of the report just above.
const SUGGESTED_TIMEOUT_MS = 60_000

/** The limit to suggest, spelled as a user would type it: the server's 60 s, or twice a limit already past it. */
function suggest(ms: number): string {
  const next = ms < SUGGESTED_TIMEOUT_MS ? SUGGESTED_TIMEOUT_MS : ms * 2
  return next % 1000 === 0 ? `${next / 1000}s` : `${next}ms`
}

/** A response's head, before its body ended. */
interface Head {
  status: number
  /** Its content-type, without parameters; '' when it has none. */
  type: string
}

class DeadlineError extends Error {
  constructor(
    /** The head, when it came (the body did not end). */
    readonly head: Head | undefined,
    readonly afterMs: number,
  ) {
    super('deadline')
  }
}

// A text/event-stream body is not meant to end: once its head came, this much
// streaming says enough (the deadline would be --timeout and 5 s more, 35 s).
const EVENT_STREAM_MS = 2000

/** The verdict on a body that never ended: what the bench measures, and what to bench instead. */
function streaming(label: string, spec: RequestSpec, head: Head, afterMs: number): string {
  const type = head.type ? ` (${head.type})` : ''
  return `${label}: ${spec.method} ${spec.path} answered ${head.status}${type} and its body was still streaming after ${formatMs(Math.round(afterMs / 100) * 100)}: the bench times whole responses, so it cannot time one whose body does not end (server-sent events, a long poll). Bench a path that ends.`
}

/**
 * One request, answered in full within `deadlineMs` (the whole answer, not an
 * idle socket: a body may drip). `onHead`: the head came, the body not yet.
 */
function once(
  origin: string,
  spec: RequestSpec,
  deadlineMs: number,
  onHead?: (head: Head) => void,
  signal?: AbortSignal,
): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const started = performance.now()
    let head: Head | undefined
    const giveUp = () => {
      clearTimeout(deadline)
      reject(new DeadlineError(head, performance.now() - started))
      req.destroy()
    }
    const url = new URL(spec.path, origin)
    // Given as a flat array, headers get no automatic Host; the load generators send one, so send it here too.
    const hasHost = spec.headers.some((value, i) => i % 2 === 0 && value.toLowerCase() === 'host')
    const headers = hasHost ? spec.headers : ['host', url.host, ...spec.headers]
    // The server is one this command started, with the self-signed certificate of --https; the load generators do not verify it either.
    const send = url.protocol === 'https:' ? (...args: Parameters<typeof tlsRequest>) => tlsRequest(...args) : request
    const fail = (error: Error) => {
      clearTimeout(deadline)
      reject(new BenchError(`${spec.method} ${spec.path} failed during the correctness check: ${error.message}`))
    }
    const req = send(url, { method: spec.method, headers, agent: false, rejectUnauthorized: false, signal }, (res) => {
      head = { status: res.statusCode ?? 0, type: (res.headers['content-type'] ?? '').split(';')[0]!.trim() }
      onHead?.(head)
      if (head.type === 'text/event-stream') {
        const stream = setTimeout(giveUp, EVENT_STREAM_MS)
        res.once('end', () => clearTimeout(stream))
        res.once('close', () => clearTimeout(stream))
      }
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('error', fail)
      res.on('end', () => {
        clearTimeout(deadline)
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) })
      })
    })
    // Rejected first: the errors that destroying the request then emits are ignored.
    const deadline = setTimeout(giveUp, deadlineMs)
    req.on('error', fail)
    req.end(spec.body)
  })
}
