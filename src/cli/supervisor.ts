// The safety net under the CLI. A few V8 fatal errors in a worker (one huge
// array under a heap limit, nodejs/node#47224; an array grown in a loop until
// V8's heap limit, even without --max-memory) abort the whole process in
// spite of `resourceLimits`. So the `hotcell` command runs the server in a
// child process and stays a thin parent that:
// - holds a copy of the listening socket's descriptor (the child binds it and
//   hands it over), so the port never closes; it never accepts on it: while
//   no child is serving, connections wait in the kernel's backlog;
// - starts a new child when the child dies abnormally, and hands it the socket;
// - starts a new child at once when the child asks (the config file changed,
//   cli/config-watch.ts) and then ends: not a crash, so no back-off;
// - ends the processes the app started when a child ends, as a Ctrl-C in the
//   terminal would have.
// Reloads never come here: they happen inside the child, on worker threads.
// The programmatic serve() API is not supervised.
import { fork, spawnSync, type ChildProcess } from 'node:child_process'
import { isatty } from 'node:tty'
import { constants } from 'node:os'
import type { SlowRequest, SupervisorMessage } from './supervisor-child.js'
import { heldAddressEnv, type HeldAddress } from './held-address.js'
import { echoOfThisSignal } from './signal-echo.js'
import type { CrashLoopBreaker } from '../pool/crash-loop.js'
import { traceStart } from '../reload/trace.js'
import type { Terminal } from '../report/timed-line.js'

// glibc gives threads malloc arenas of their own and never returns them: with
// two new worker threads per reload, the server's RSS grew 2.8 % from 50 to
// 300 reloads, and 0.4 % with two arenas (in-process, 2 workers). Read at
// process start, so it is set for the child. Other C libraries ignore it.
const CHILD_MALLOC_ARENAS = '2'
// No V8 flags for the child: a young-generation cap (--max-semi-space-size=8)
// made the start ~60 ms slower (median first response 339 vs 280 ms, Node 20)
// and the idle collections (reload/settle-heap.ts) give the young generation
// back anyway.

// More abnormal deaths than this within the window: give up instead of looping.
const MAX_RESTARTS = 5
const RESTART_WINDOW_MS = 60_000
// How a V8 fatal error ends a process: abort() after "FATAL ERROR: …" (a heap limit), or a trap after
// "# Fatal error in …" ("Fatal JavaScript invalid size error"). SIGKILL is someone else's doing.
const V8_FATAL_SIGNALS = new Set<string>(['SIGABRT', 'SIGTRAP', 'SIGILL'])
// How a crash in native code ends it (a native addon's bad pointer): nothing is printed before it.
const CRASH_SIGNALS = new Set<string>(['SIGSEGV', 'SIGBUS'])
const FIRST_RESTART_DELAY_MS = 250
/** A config file still loading at start after this long is told about. */
const CONFIG_LOADING_NOTE_MS = 1_000
/** After a second Ctrl-C, how long the child has to exit before it is killed. */
const KILL_AFTER_MS = 2_000
const MAX_RESTART_DELAY_MS = 2_000

export interface SuperviseOptions {
  /** The script the child runs: the server bundle (hotcell-server.cjs). */
  script: string
  argv: string[]
  /** Called only to write: creating process.stderr takes a millisecond the first fork need not wait for. */
  stderr: () => Terminal
}

/**
 * Run the CLI in a child process, restarting it if it crashes. Resolves to the
 * exit code. The first child is forked before this returns: its boot is most
 * of the start, and what this process still loads runs beside it.
 */
export function supervise({ script, argv, stderr }: SuperviseOptions): Promise<number> {
  return new Promise<number>((resolveExit) => {
    // The listening socket's handle: held, never listened on here.
    let socket: { close(): void } | undefined
    // Where it is bound, as the first child's options named it.
    let address: HeldAddress | undefined
    let child: ChildProcess | undefined
    let stopping = false
    let deaths: Promise<CrashLoopBreaker> | undefined
    let restartTimer: NodeJS.Timeout | undefined
    // The child that asked to be started again once it ends.
    let restartAsked: ChildProcess | undefined
    // The current child's slow requests in flight, as it last told (cli/slow-requests.ts).
    let running: SlowRequest[] = []
    // Led by the time, as the server's lines around it are; the clock is
    // loaded only for a line (report/timed-line.ts), which carries the time
    // of what it tells.
    const say = (line: string) => {
      const at = new Date()
      void import('../report/timed-line.js').then(({ timedLine }) => stderr().write(timedLine(line, at, stderr())))
    }

    // The config file's code runs on the server's main thread at its start: a loop there leaves only this process to say so.
    let loadingTimer: NodeJS.Timeout | undefined
    const configLoading = (file: string | null) => {
      clearTimeout(loadingTimer)
      if (file === null) return
      loadingTimer = setTimeout(() => {
        say(
          `hotcell: ${file} is still loading after ${CONFIG_LOADING_NOTE_MS / 1000} s: a loop, or a top-level await that never settles? Fix it, then stop hotcell (Ctrl-C) and start it again.`,
        )
      }, CONFIG_LOADING_NOTE_MS)
      loadingTimer.unref()
    }

    const start = () => {
      traceStart('supervisor')
      const current = fork(script, argv, {
        env: {
          ...process.env,
          HOTCELL_SUPERVISED: '1',
          ...(socket ? { HOTCELL_INHERIT_SOCKET: '1', ...(address ? heldAddressEnv(address) : {}) } : {}),
          MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX || CHILD_MALLOC_ARENAS,
        },
        stdio: 'inherit',
        // Its own process group: a Ctrl-C in the terminal reaches only this
        // parent, which passes it on once (two would mean "stop now").
        // (On Windows `detached` would open a console window; not done there.)
        detached: process.platform !== 'win32',
      })
      child = current
      current.on('message', (message: SupervisorMessage, handle: unknown) => {
        if (message?.type === 'hotcell:need-socket' && socket) current.send({ type: 'hotcell:socket' } satisfies SupervisorMessage, socket as never)
        if (message?.type === 'hotcell:serving' && !socket && handle) socket = handle as { close(): void }
        if (message?.type === 'hotcell:address') address ??= message.address
        if (message?.type === 'hotcell:restart') restartAsked = current
        if (message?.type === 'hotcell:running' && child === current) running = message.requests
        if (message?.type === 'hotcell:config-loading') configLoading(message.file)
      })
      current.once('exit', (code, signal) => {
        configLoading(null)
        const diedAt = Date.now()
        const wasRunning = running
        running = []
        if (child === current) child = undefined
        endGroupOf(current)
        // Killed, it could not take the terminal out of raw mode (its hotkeys);
        // this process never set that mode, so libuv has nothing to restore.
        if (signal === 'SIGKILL' && isatty(0)) spawnSync('stty', ['sane'], { stdio: ['inherit', 'ignore', 'ignore'] })
        // Ended by the very signal passed on to stop it (a server process not yet
        // listening for it: one restarting, or still starting): the stop asked for
        // happened. Two CI runs read 130 here for a Ctrl-C right after the ready line.
        const stopped = stopping && signal !== null && signal === forwarded
        const exitCode = stopped ? 0 : (code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0))
        // Asked for (cli/config-watch.ts): at once, and not a death.
        if (restartAsked === current && !stopping && socket) {
          restartAsked = undefined
          return start()
        }
        // A normal stop, a process that never got as far as listening, or one that
        // chose to exit (a fatal V8 error aborts: it never exits with 0).
        if (stopping || !socket || code === 0) return finish(exitCode)
        void deaths!.then((breaker) => restart(breaker, code, signal, runningLine(wasRunning, diedAt)))
      })
    }

    // The processes the app started (a database, a queue worker, `docker
    // compose up`) are in the server's process group, which a Ctrl-C in the
    // terminal does not reach: they would outlive every server, holding their
    // ports. Ended with the server as the terminal would end them. One the app
    // detached leads a group of its own and stays, as it would under node.
    const endGroupOf = (server: ChildProcess) => {
      if (process.platform === 'win32' || server.pid === undefined) return
      try {
        process.kill(-server.pid, 'SIGTERM')
      } catch {
        // ESRCH: nothing left in the group.
      }
    }

    const restart = (breaker: CrashLoopBreaker, code: number | null, signal: NodeJS.Signals | null, whileRunning: string) => {
      // A signal came meanwhile, with no child to pass it to: it finished.
      if (stopping) return
      if (breaker.record()) {
        say(`hotcell: the server process died ${breaker.limit} times within ${RESTART_WINDOW_MS / 1000} s; giving up.`)
        return finish(1)
      }
      // The first restart is at once: a fatal error in the user's code is a
      // one-off. Later ones back off, so that a server that cannot start (its
      // files being rebuilt, say) gets a few seconds before the breaker trips.
      const delayMs = breaker.recent <= 1 ? 0 : Math.min(MAX_RESTART_DELAY_MS, FIRST_RESTART_DELAY_MS * 2 ** (breaker.recent - 2))
      say(
        `hotcell: the server process ${deathCause(code, signal, whileRunning !== '')}${whileRunning}. Restarting it${delayMs ? ` in ${delayMs / 1000} s` : ''}; the port stays open and new connections wait.`,
      )
      if (delayMs) {
        restartTimer = setTimeout(start, delayMs)
        return
      }
      start()
    }

    const finish = (code: number) => {
      clearTimeout(restartTimer)
      socket?.close()
      for (const signal of ['SIGINT', 'SIGTERM'] as const) process.off(signal, onSignal)
      resolveExit(code)
    }
    let signals = 0
    // The last signal passed on to the server process.
    let forwarded: NodeJS.Signals | undefined
    let isEcho: (() => boolean) | undefined
    const onSignal = (signal: NodeJS.Signals) => {
      // Already passed on (signal-echo.ts).
      if (isEcho?.()) return
      isEcho ??= echoOfThisSignal()
      stopping = true
      signals++
      if (!child || child.exitCode !== null) return finish(128 + (constants.signals[signal] ?? 0))
      forwarded = signal
      child.kill(signal)
      // The second means "stop now": the child exits at once, or kills itself
      // within a second if a worker thread it cannot stop would hold its exit
      // (cli/exit-now.ts). Should anything else hold it, it is killed here.
      if (signals === 2) {
        const stuck = child
        setTimeout(() => {
          if (stuck.exitCode !== null || stuck.signalCode !== null) return
          stuck.kill('SIGKILL')
          say('hotcell: the server process did not stop within 2 s of the second signal; killed it.')
        }, KILL_AFTER_MS).unref()
      }
    }
    start()
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, onSignal)
    // Needed only once a child dies: loaded while the first one boots.
    deaths = import('../pool/crash-loop.js').then(({ CrashLoopBreaker }) => new CrashLoopBreaker(MAX_RESTARTS + 1, RESTART_WINDOW_MS))
  })
}

/** Why the server process ended, as far as its exit says; `named`: the requests it ran are named after it. */
function deathCause(code: number | null, signal: NodeJS.Signals | null, named: boolean): string {
  if (!signal) return `exited with code ${code} (see the error above)`
  if (V8_FATAL_SIGNALS.has(signal)) return `died (signal ${signal}), most likely a V8 fatal error in a worker (see V8's fatal error above)`
  if (!CRASH_SIGNALS.has(signal)) return `died (signal ${signal})`
  // Only requests that ran 0.1 s or more are known here (slow-requests.ts).
  const unnamed = named ? '' : '; which request it ran is not known (only those that run 0.1 s or more are named)'
  return `crashed in native code (signal ${signal}: most likely a native addon; nothing is printed for it)${unnamed}`
}

/** `, while running GET /report (for 1.4 s)`: the requests in flight for 0.1 s or more when it died (cli/slow-requests.ts). */
function runningLine(requests: SlowRequest[], diedAt: number): string {
  if (requests.length === 0) return ''
  // Newest first: a stream open for minutes is less likely the cause than what began just before.
  const newest = [...requests].sort((a, b) => b.since - a.since)
  const named = newest.slice(0, 3).map(({ label, since }) => `${label} (for ${Math.max(0.1, (diedAt - since) / 1000).toFixed(1)} s)`)
  const more = requests.length - named.length
  return `, while running ${named.join(', ')}${more > 0 ? ` and ${more} more` : ''}`
}
