// The command's work in this process: serving (as the supervisor's child, or
// unsupervised) and `hotcell bench`. Bundled apart from the launcher (bin.ts)
// as dist/src/cli/hotcell-server-main.cjs, which the child's main script
// (server-start.ts) loads: the supervisor never compiles this half.
import { followSupervisor, leaveSupervisor } from './supervisor-child.js'
import { main } from './main.js'
import { exitNow } from './exit-now.js'
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
      // A second Ctrl-C means "now": skip the graceful drain (exit-now.ts).
      process.once('SIGINT', () => exitNow(130))
      process.once('SIGTERM', () => exitNow(143))
      // The app's listeners of this signal run (workers/retirement.ts): a Ctrl-C is a SIGINT, forwarded by the supervisor.
      stop(signal)
    }
    process.once('SIGINT', onSignal)
    process.once('SIGTERM', onSignal)
  },
}).then((code) => {
  process.exitCode = code
  leaveSupervisor()
})
