// The command's work in this process: serving (as the supervisor's child, or
// unsupervised) and `hotcell bench`. Bundled apart from the launcher (bin.ts)
// as dist/src/cli/hotcell-server-main.cjs, which the child's main script
// (server-start.ts) loads: the supervisor never compiles this half.
import { followSupervisor, leaveSupervisor } from './supervisor-child.js'
import { main } from './main.js'
import { exitNow } from './exit-now.js'
import { echoOfThisSignal } from './signal-echo.js'
import { keepServingWithoutReader } from './reader-errors.js'
import { traceStart } from '../reload/trace.js'
import { adoptExposedGc } from '../reload/settle-heap.js'
import { reportSlowRequests } from './slow-requests.js'

// Before anything else runs: a Node started with --expose-gc (settle-heap.ts).
adoptExposedGc()
keepServingWithoutReader()
// The supervisor died: no graceful drain, no wait for a stuck worker (exit-now.ts). 129: its hang-up.
followSupervisor(() => exitNow(129))
// So that the supervisor can name the request a V8 fatal error came from.
reportSlowRequests()
traceStart('cli')
// Not a top-level await: this is bundled as CommonJS, which has none. A
// rejection would be a bug in hotcell: Node prints it and exits with 1.
void main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  stdin: process.stdin,
  onStop(stop) {
    const onSignal = (signal: 'SIGINT' | 'SIGTERM') => {
      // A second Ctrl-C means "now": skip the graceful drain (exit-now.ts); not the first one's echo (signal-echo.ts).
      const isEcho = echoOfThisSignal()
      const now = (code: number) => () => isEcho() || exitNow(code)
      // Added before the first ones go: with no listener left for a moment, a signal then would end the process at once.
      process.on('SIGINT', now(130))
      process.on('SIGTERM', now(143))
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
      // The app's listeners of this signal run (workers/retirement.ts): a Ctrl-C is a SIGINT, forwarded by the supervisor.
      stop(signal)
    }
    process.on('SIGINT', onSignal)
    process.on('SIGTERM', onSignal)
  },
}).then((code) => {
  process.exitCode = code
  leaveSupervisor()
})
