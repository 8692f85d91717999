// Shared by the test files: real servers on 127.0.0.1, real sockets, and a
// deadline on every wait so a hang fails the test instead of stalling CI.
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { get, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { Writable } from 'node:stream'
import { after } from 'node:test'
import { fileURLToPath } from 'node:url'
import { HotcellError, serve, type HotcellServer, type ServeOptions } from '../src/index.js'
import { SIGNAL_ECHO_MS } from '../src/cli/signal-echo.js'

/** The repository root (tests run from dist/test/). */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url))
/** The `hotcell` command as package.json's bin names it: the CommonJS bundle. */
export const BIN = join(ROOT, 'dist/src/cli/hotcell.cjs')
export const fixture = (name: string) => join(ROOT, 'test/fixtures', name)

const cleanups: (() => unknown)[] = []
// Each test file runs in a process of its own: this hook ends what that file started.
after(async () => {
  for (const undo of cleanups.splice(0).reverse()) await undo()
})

/** Undo these once the test file is done, the last registered first (a server closes before its folder goes). */
export function cleanup(...undo: (() => unknown)[]): void {
  cleanups.push(...undo)
}

/**
 * A project folder holding `files`, served by `serve()` on a free port (one
 * worker, quiet unless DEBUG_HOTCELL is set); both end after the test file.
 */
export async function serveProject(
  files: Record<string, string>,
  options: Partial<ServeOptions> = {},
): Promise<{ project: ReturnType<typeof projectDir>; server: HotcellServer }> {
  const project = projectDir(files)
  cleanup(project.remove)
  const server = await serve({ port: 0, workers: 1, quiet: !process.env.DEBUG_HOTCELL, ...options, entry: join(project.dir, options.entry ?? 'app.ts') })
  cleanup(() => server.close())
  return { project, server }
}

/**
 * The `skip` option of a test that needs a program of the machine. Outside CI
 * a missing one skips the test and says how to install it. In CI (CI set)
 * nothing may be skipped: .ci/run installs everything, so a missing program
 * fails the test file at once instead of hiding a gap in the summary.
 */
export function requires(path: string, install: string): string | false {
  if (existsSync(path)) return false
  if (process.env.CI) throw new Error(`${path} is missing, and CI skips nothing: install it in .ci/run (${install})`)
  return `${path} is not installed (${install})`
}

/** Reject with a clear message if `promise` has not settled within `ms`. */
export async function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`deadline: ${what} did not happen within ${ms} ms`)), ms)
  })
  try {
    return await Promise.race([promise, deadline])
  } finally {
    clearTimeout(timer)
  }
}

/** Poll `check` until it returns a truthy value, or fail after `ms`. */
export async function waitFor<T>(check: () => T | Promise<T>, ms: number, what: string, everyMs = 10): Promise<NonNullable<T>> {
  const until = Date.now() + ms
  let last: unknown
  for (;;) {
    try {
      const value = await check()
      if (value) return value as NonNullable<T>
    } catch (error) {
      last = error
    }
    if (Date.now() > until) throw new Error(`deadline: ${what} within ${ms} ms${last ? ` (last error: ${String(last)})` : ''}`)
    await new Promise((r) => setTimeout(r, everyMs))
  }
}

/**
 * A folder of source files for one test, inside the repository so that bare
 * imports (hono, …) resolve from its node_modules. Removed by `remove()`.
 */
/**
 * A project folder with `files`, in the repository's .tmp (its imports of
 * hotcell's own dependencies resolve), or `outside` it, in the system's
 * temporary folder: no package.json above it.
 */
export function projectDir(
  files: Record<string, string>,
  { outside = false }: { outside?: boolean } = {},
): { dir: string; write(name: string, text: string): void; remove(): void } {
  const base = outside ? tmpdir() : join(ROOT, '.tmp')
  mkdirSync(base, { recursive: true })
  const dir = mkdtempSync(join(base, 'case-'))
  const write = (name: string, text: string) => {
    mkdirSync(dirname(join(dir, name)), { recursive: true })
    writeFileSync(join(dir, name), text)
  }
  for (const [name, text] of Object.entries(files)) write(name, text)
  return { dir, write, remove: () => rmSync(dir, { recursive: true, force: true }) }
}

export interface Reply {
  status: number
  statusText: string
  headers: IncomingHttpHeaders
  rawHeaders: string[]
  body: Buffer
  text: string
}

/** One HTTP request on a fresh connection, the whole body read, within `timeoutMs`. */
export function request(
  url: string,
  options: { method?: string; headers?: Record<string, string | string[]>; body?: Buffer | string; timeoutMs?: number } = {},
): Promise<Reply> {
  const { method = 'GET', headers = {}, body, timeoutMs = 10_000 } = options
  const done = new Promise<Reply>((resolve, reject) => {
    const req = httpRequest(url, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('error', reject)
      res.on('end', () => {
        const data = Buffer.concat(chunks)
        resolve({
          status: res.statusCode ?? 0,
          statusText: res.statusMessage ?? '',
          headers: res.headers,
          rawHeaders: res.rawHeaders,
          body: data,
          text: data.toString('utf8'),
        })
      })
    })
    req.on('error', reject)
    req.end(body)
  })
  return withDeadline(done, timeoutMs, `${method} ${url}`)
}

export interface CliRun {
  child: ChildProcess
  url: string
  /** Everything written to stdout and stderr so far. */
  output(): string
  /** Send SIGINT and wait for the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>
  exited: Promise<number | null>
}

/** Run the real `hotcell` binary and wait for its ready line. */
export async function startCli(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; readyMs?: number; bin?: string; signalOnReady?: NodeJS.Signals } = {},
): Promise<CliRun> {
  const child = spawn(process.execPath, [options.bin ?? BIN, ...args], {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  let signaled = false
  child.stdout!.on('data', (c: Buffer) => {
    output += c.toString()
    // `signalOnReady`: sent the moment the ready line is read, as a process manager or a script may.
    if (options.signalOnReady && !signaled && /ready on /.test(output)) {
      signaled = true
      child.kill(options.signalOnReady)
    }
  })
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()))
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  const url = await withDeadline(
    Promise.race([
      waitFor(() => /ready on (https?:\/\/\S+)/.exec(output)?.[1], options.readyMs ?? 15_000, 'the ready line'),
      exited.then((code) => {
        throw new Error(`hotcell exited with ${code} before it was ready:\n${output}`)
      }),
    ]),
    (options.readyMs ?? 15_000) + 1000,
    'hotcell start',
  )
  return {
    child,
    url,
    output: () => output,
    exited,
    async stop(signal = 'SIGINT') {
      if (child.exitCode === null) child.kill(signal)
      return withDeadline(exited, 10_000, 'hotcell exit')
    },
  }
}

/** Run the binary to completion (for --help, bad flags…). */
export async function runCli(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()))
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()))
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
  // A run that was meant to stop at once but serves instead would keep the test process alive past its failure.
  const code = await withDeadline(exited, options.timeoutMs ?? 15_000, `hotcell ${args.join(' ')}`).catch((error: unknown) => {
    child.kill()
    throw error
  })
  return { code, stdout, stderr }
}

/**
 * main(args) in this process, for commands that end by themselves (bad
 * flags, --help): what the binary would print, without a child process.
 */
export async function runMain(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const { main } = await import('../src/cli/main.js')
  const { PassThrough } = await import('node:stream')
  let stdout = ''
  let stderr = ''
  const out = new PassThrough().on('data', (c: Buffer) => (stdout += c.toString()))
  const err = new PassThrough().on('data', (c: Buffer) => (stderr += c.toString()))
  // A command that starts a server stops at once: these runs are about what happens before.
  const code = await withDeadline(
    main(args, { stdout: out, stderr: err, env: { NO_COLOR: '1', ...env }, onStop: (stop) => stop() }),
    15_000,
    `main(${args.join(' ')})`,
  )
  return { code, stdout, stderr }
}

/** A port free right now: for a server whose URL is needed before it starts. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number }
      probe.close(() => resolve(port))
    })
    probe.on('error', reject)
  })
}

/** A stream that keeps what is written to it: a logger's stdout or stderr, read back with text(). */
export function sink(): Writable & { text: () => string } {
  let text = ''
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString()
      done()
    },
  })
  return Object.assign(stream, { text: () => text })
}

/** An open SSE connection: everything received so far, and its end. */
export function openStream(server: { url: string }, path: string, headers: Record<string, string> = {}) {
  return withDeadline(
    new Promise<{ res: IncomingMessage; text: () => string; ended: Promise<void> }>((resolve, reject) => {
      const req = get(server.url + path, { headers, agent: false }, (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (c: string) => (text += c))
        const ended = new Promise<void>((done) => res.once('end', done))
        resolve({ res, text: () => text, ended })
      })
      req.on('error', reject)
    }),
    10_000,
    `GET ${path}`,
  )
}

/** `run` with each case's options rejects with a HotcellError of that code, its message matching. */
export async function rejectsEach(run: (options: object) => Promise<unknown>, cases: [object, string, RegExp][]): Promise<void> {
  for (const [options, code, message] of cases) {
    await assert.rejects(run(options), (error: unknown) => {
      assert.ok(error instanceof HotcellError, String(error))
      assert.equal(error.code, code, error.message)
      assert.match(error.message, message)
      return true
    })
  }
}

/** A person's second Ctrl-C comes this long after the first at the soonest: sooner, it is taken for the first one's echo (src/cli/signal-echo.ts). */
export function personsSecondCtrlC(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, SIGNAL_ECHO_MS + 50))
}
