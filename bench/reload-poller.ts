// The client bench/reload.ts measures each tool with: one keep-alive
// connection polling GET /, which notes when each version of the app was
// first served.
import { Agent, request as httpRequest } from 'node:http'
import { sleep } from './process-tree.js'

/** GET / → body, or throws. Keep-alive, like a browser; a restarting server breaks it. */
function get(agent: Agent, port: number, timeoutMs = 2000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path: '/', agent, timeout: timeoutMs }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => (body += c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
      res.on('error', reject)
    })
    req.on('timeout', () => req.destroy(new Error('timeout')))
    req.on('error', reject)
    req.end()
  })
}

/** Polls GET / and remembers when each version was first seen. */
export class Poller {
  seen = new Map<number, number>()
  newest = -1
  /** The newest version saved: polled for every ~1 ms until it is served. */
  wanted = 0
  /** While set, no requests: memory is read with the server idle, as between two edits. */
  paused = false
  requests = 0
  failed = 0
  /** The first few failures, as status and body or the error. */
  readonly failures: string[] = []
  #running = true
  #done: Promise<void>
  readonly #agent = new Agent({ keepAlive: true, maxSockets: 1 })
  #wake: (() => void) | undefined

  constructor(private readonly port: number) {
    this.#done = this.#loop()
  }

  async #loop(): Promise<void> {
    while (this.#running) {
      if (this.paused) {
        await sleep(20)
        continue
      }
      try {
        const res = await get(this.#agent, this.port)
        this.requests++
        const version = /^v(\d+)$/.exec(res.body)?.[1]
        if (res.status !== 200 || version === undefined) this.#fail(`${res.status} ${res.body.slice(0, 160)}`)
        else this.#saw(Number(version))
        await (this.newest < this.wanted ? sleep(1) : this.#idle())
      } catch (error) {
        this.requests++
        this.#fail(String(error))
        await sleep(1)
      }
    }
  }

  /** The next save: poll for it from now on (a poller that slept on would add up to 20 ms to a reload). */
  want(version: number): void {
    this.wanted = Math.max(this.wanted, version)
    this.#wake?.()
  }

  // Between saves: 20 ms, or until the next save.
  #idle(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.#woken(resolve), 20)
      this.#wake = () => {
        clearTimeout(timer)
        this.#woken(resolve)
      }
    })
  }

  #woken(resolve: () => void): void {
    this.#wake = undefined
    resolve()
  }

  #fail(what: string): void {
    this.failed++
    if (this.failures.length < 5) this.failures.push(what.replaceAll('\n', ' '))
  }

  #saw(version: number): void {
    if (version <= this.newest) return
    const now = performance.now()
    for (let v = this.newest + 1; v <= version; v++) this.seen.set(v, now)
    this.newest = version
  }

  /** Resolves when `version` (or a later one) has been served. */
  async until(version: number, deadlineMs: number): Promise<void> {
    this.wanted = Math.max(this.wanted, version)
    const started = performance.now()
    while (this.newest < version) {
      if (performance.now() - started > deadlineMs) throw new Error(`v${version} not served within ${deadlineMs} ms`)
      await sleep(1)
    }
  }

  async stop(): Promise<void> {
    this.#running = false
    await this.#done
    this.#agent.destroy()
  }
}
