import { BenchError } from '../errors.js'
import { FAILURE_TITLES } from '../report/fault-views.js'

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

// The first line of hotcell's page when the build failed or the entry could not load (reloader.ts, fault-views.ts).
const NOT_RUNNING = new RegExp(`^5\\d\\d (Build failed|${FAILURE_TITLES.import}|${FAILURE_TITLES.shape})$`)

/**
 * Before any timing: a few requests one after another. A wrong status is a
 * HotcellError (one line, exit 1): measuring an error page measures nothing.
 */
export async function checkTarget(label: string, origin: string, spec: RequestSpec, expectStatus: number | undefined): Promise<CheckResult> {
  const lengths: number[] = []
  let status = 0
  for (let i = 0; i < CHECK_REQUESTS; i++) {
    const reply = await once(origin, spec)
    status = reply.status
    const ok = expectStatus === undefined ? status >= 200 && status < 300 : status === expectStatus
    if (!ok) {
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
export async function drain(origin: string, spec: RequestSpec, workers: number): Promise<void> {
  for (let round = 0; round < 2; round++) {
    await Promise.all(Array.from({ length: Math.max(1, workers) }, () => once(origin, spec).catch(() => undefined)))
  }
}

function once(origin: string, spec: RequestSpec): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const url = new URL(spec.path, origin)
    // Given as a flat array, headers get no automatic Host; the load generators send one, so send it here too.
    const hasHost = spec.headers.some((value, i) => i % 2 === 0 && value.toLowerCase() === 'host')
    const headers = hasHost ? spec.headers : ['host', url.host, ...spec.headers]
    // The server is one this command started, with the self-signed certificate of --https; the load generators do not verify it either.
    const send = url.protocol === 'https:' ? (...args: Parameters<typeof tlsRequest>) => tlsRequest(...args) : request
    const req = send(url, { method: spec.method, headers, agent: false, timeout: 30_000, rejectUnauthorized: false }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('error', reject)
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }))
    })
    req.on('timeout', () => req.destroy(new Error('no answer within 30 s')))
    req.on('error', (error) => reject(new BenchError(`${spec.method} ${spec.path} failed during the correctness check: ${error.message}`)))
    req.end(spec.body)
  })
}
