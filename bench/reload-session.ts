// One tool serving its copy of the app for bench/reload.ts, with its poller;
// and what is measured of it: saves at a pace, and hotcell's memory over
// many reloads.
import type { ChildProcess } from 'node:child_process'
import { cpSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { freePort, settledTree, sleep, type ProcessMemory } from './process-tree.js'
import { Poller } from './reload-poller.js'
import type { Tool } from './reload-tools.js'

export interface PaceResult {
  pace: number
  latencies: number[]
  requests: number
  failed: number
}

export interface Result {
  tool: string
  coldMs: number
  paces: PaceResult[]
  memory?: { reloads: number; mib: number; byRole: ProcessMemory[] }[]
}

/** The tree's memory once settled: the median of ten readings over 2 s, per process. */
async function settledTreeMiB(pid: number): Promise<{ mib: number; byRole: ProcessMemory[] }> {
  const byRole = await settledTree(pid, 10)
  return { mib: byRole.reduce((sum, p) => sum + p.rssMiB, 0), byRole }
}

/** One tool serving its copy of the app, with its poller; idle (no requests) while another tool is measured. */
export interface Session {
  tool: Tool
  coldMs: number
  poller: Poller
  /** Its server process (the tree read for memory). */
  readonly pid: number
  /** Writes the next version; returns it. */
  save(): number
  /** The tool's last output, for an error. */
  output(): string
  close(): Promise<void>
}

export async function open(tool: Tool, index: number, root: string, appDir: string): Promise<Session> {
  const dir = join(root, '.tmp', `bench-reload-${index}`)
  rmSync(dir, { recursive: true, force: true })
  cpSync(appDir, dir, { recursive: true })
  writeFileSync(join(dir, 'version.ts'), 'export const version = 0\n')
  const port = await freePort()
  const startedAt = performance.now()
  const procs = tool.start(dir, port)
  const all: ChildProcess[] = []
  let output = ''
  for (const p of procs) {
    const later = (p as ChildProcess & { later?: Promise<ChildProcess> }).later
    const attach = (c: ChildProcess) => {
      all.push(c)
      c.stdout?.on('data', (d: Buffer) => (output = (output + d).slice(-20_000)))
      c.stderr?.on('data', (d: Buffer) => (output = (output + d).slice(-20_000)))
    }
    if (later) void later.then(attach)
    else attach(p)
  }
  let version = 0
  const poller = new Poller(port)
  const close = async () => {
    await poller.stop()
    const signalGroup = (p: ChildProcess, signal: NodeJS.Signals) => {
      try {
        process.kill(-p.pid!, signal)
      } catch {
        // Already gone.
      }
    }
    for (const p of all) signalGroup(p, 'SIGTERM')
    await sleep(500)
    for (const p of all) signalGroup(p, 'SIGKILL')
    rmSync(dir, { recursive: true, force: true })
  }
  const session: Session = {
    tool,
    coldMs: 0,
    poller,
    get pid() {
      return all[0]?.pid ?? 0
    },
    save() {
      writeFileSync(join(dir, 'version.ts'), `export const version = ${++version}\n`)
      poller.want(version)
      return version
    },
    output: () => output,
    close,
  }
  try {
    await poller.until(0, 60_000)
    session.coldMs = performance.now() - startedAt
    // Connections refused before the server listened are not failures of a reload.
    poller.failures.splice(0)
    // A first edit outside the timed ones: tools that compile lazily pay for it once.
    await poller.until(session.save(), 30_000)
    await sleep(1000)
    poller.paused = true
    return session
  } catch (error) {
    await close()
    throw new Error(`${tool.name}: ${(error as Error).message}\n--- its output ---\n${output.slice(-3000)}`)
  }
}

/** `count` saves `pace` ms apart, the poller on meanwhile; each save's time until a response shows it. */
export async function edits(session: Session, pace: number, count: number): Promise<PaceResult> {
  const { poller } = session
  poller.paused = false
  const before = { requests: poller.requests, failed: poller.failed }
  const writtenAt = new Map<number, number>()
  let last = 0
  try {
    const t0 = performance.now()
    for (let i = 0; i < count; i++) {
      const due = t0 + i * pace - performance.now()
      if (due > 0) await sleep(due)
      last = session.save()
      writtenAt.set(last, performance.now())
    }
    await poller.until(last, 30_000)
  } catch (error) {
    throw new Error(`${session.tool.name}: ${(error as Error).message}\n--- its output ---\n${session.output().slice(-3000)}`)
  }
  poller.paused = true
  const latencies = [...writtenAt].map(([v, at]) => poller.seen.get(v)! - at)
  return { pace, latencies, requests: poller.requests - before.requests, failed: poller.failed - before.failed }
}

/** hotcell's tree RSS over `total` reloads (--memory), read with the server idle. */
export async function memoryOver(session: Session, total: number): Promise<NonNullable<Result['memory']>> {
  const { poller } = session
  poller.paused = false
  // Readings with the server idle (no requests), after the reloads'
  // leftovers are gone: retired generations end once their last request
  // has (at the latest 5 s after their swap), and the main thread's heap
  // is collected once the server has been quiet for 5 s, and again 1 s later.
  const reading = async (reloads: number) => {
    poller.paused = true
    await sleep(7000)
    const tree = await settledTreeMiB(session.pid)
    poller.paused = false
    process.stderr.write(`  after ${reloads} reloads: ${tree.mib.toFixed(1)} MiB\n`)
    return { reloads, ...tree }
  }
  const memory = [await reading(0)]
  const step = Math.max(1, Math.round(total / 5))
  for (let done = 0; done < total; ) {
    for (let i = 0; i < step && done < total; i++, done++) {
      await poller.until(session.save(), 30_000)
      await sleep(20)
    }
    memory.push(await reading(done))
  }
  return memory
}
