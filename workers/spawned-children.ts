// The child processes this thread's code starts through node:child_process,
// so that they end with its generation (retirement.ts). spawn(), exec(),
// execFile() and fork() all start theirs with ChildProcess.prototype.spawn,
// whatever package calls them; each thread has its own copy of the module, so
// this sees this thread's children only. The main thread is told each pid:
// it ends the children of a worker that could not clean up itself (stuck in a
// loop, or ended first). /proc cannot tell which thread started a child: all
// threads share one pid.
import type { ChildProcess, SpawnOptions } from 'node:child_process'
import type { WorkerMessage } from '../src/pool/protocol.js'
const { subscribe } = process.getBuiltinModule('node:diagnostics_channel')
const { threadId } = process.getBuiltinModule('node:worker_threads')

/**
 * Children running now. Not those started with `detached`: they lead a
 * process group of their own to outlive their parent, as they do under node
 * (and a Ctrl-C's group kill does not reach them either).
 */
const running = new Set<ChildProcess>()

/**
 * Patch ChildProcess.prototype.spawn once this thread makes its first
 * ChildProcess; call before the app's code loads. Node publishes each new
 * ChildProcess on the 'child_process' channel from its constructor, before
 * spawn() runs, so the first child is seen too. Loading node:child_process
 * here instead cost each idle worker ~0.25 MiB and ~0.5 ms of its boot, for
 * apps that mostly never start a child.
 */
export function trackChildren(post: (message: WorkerMessage) => void): void {
  // Stays subscribed (a no-op call per child after the first) rather than
  // leaving the channel from inside its publish.
  let patched = false
  subscribe('child_process', () => {
    if (patched) return
    patched = true
    // Loaded by now: the child being made comes from it.
    patchSpawn(process.getBuiltinModule('node:child_process').ChildProcess.prototype as ChildProcess & { spawn(options: SpawnOptions): unknown }, post)
  })
}

function patchSpawn(prototype: ChildProcess & { spawn(options: SpawnOptions): unknown }, post: (message: WorkerMessage) => void): void {
  const spawn = prototype.spawn
  prototype.spawn = function (this: ChildProcess, options: SpawnOptions) {
    const result = spawn.call(this, options)
    const pid = this.pid
    if (pid !== undefined && !options?.detached) {
      running.add(this)
      post({ type: 'hotcell:child', threadId, pid, running: true })
      this.once('exit', () => {
        running.delete(this)
        post({ type: 'hotcell:child', threadId, pid, running: false })
      })
    }
    return result
  }
}

/**
 * SIGTERM the children still running; resolves once they have exited (this
 * thread reaps them), or at `until` (performance.now()), to the pids of those
 * still running then. Those stay zombies once they exit: libuv's loop of the
 * thread that spawned a child is the only one that waits for its pid, and
 * this thread ends next (why they are left so: docs/reloading.md, "The old
 * code's end").
 */
export async function endChildren(until: number): Promise<number[]> {
  const left = signalChildren()
  if (left.length === 0) return []
  let timer: NodeJS.Timeout | undefined
  await Promise.race([
    Promise.all(left.map((child) => new Promise((resolve) => child.once('exit', resolve)))),
    new Promise((resolve) => (timer = setTimeout(resolve, Math.max(0, until - performance.now())))),
  ])
  clearTimeout(timer)
  return [...running].flatMap((child) => (child.pid === undefined ? [] : [child.pid]))
}

/** SIGTERM the children still running, without waiting: the ones signalled. */
export function signalChildren(): ChildProcess[] {
  const left = [...running]
  for (const child of left) {
    try {
      child.kill('SIGTERM')
    } catch {
      // EPERM (it changed its user): emitted as an 'error' nobody listens to.
    }
  }
  return left
}
