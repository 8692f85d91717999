#!/usr/bin/env node
import { fileURLToPath } from 'node:url'
import { unsupportedNode } from './node-version.js'

// Serving runs in a child process restarted if a V8 fatal error takes the
// whole process down (supervisor.ts). `hotcell bench` measures a server that
// lives only for the run, so it is not supervised. HOTCELL_NO_SUPERVISOR=1
// runs in this process (e.g. under a debugger).
const supervised = process.argv[2] !== 'bench' && process.env.HOTCELL_SUPERVISED !== '1' && process.env.HOTCELL_NO_SUPERVISOR !== '1'

// A reader that goes away (`hotcell app.ts | head -1`, a closed terminal)
// must not take the server down: the log is lost, the server goes on serving.
const keepServingWithoutReader = () => {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error
    })
  }
}

const unsupported = unsupportedNode()
if (unsupported) {
  process.stderr.write(`${unsupported}\n`)
  process.exit(1)
}

// Each side imports only its own code: the supervisor stays small (it lives
// as long as the session) and the child does not load the supervisor.
async function superviseChild(): Promise<void> {
  const { supervise } = await import('./supervisor.js')
  // The child is forked first: its boot is most of the start. Creating the
  // standard streams (~2 ms) comes after.
  const exited = supervise({ script: fileURLToPath(import.meta.url), argv: process.argv.slice(2), stderr: () => process.stderr })
  keepServingWithoutReader()
  process.exitCode = await exited
}

async function serveHere(): Promise<void> {
  keepServingWithoutReader()
  const [{ main }, { leaveSupervisor }, { traceStart }] = await Promise.all([
    import('./main.js'),
    import('./supervisor-child.js'),
    import('../reload/trace.js'),
  ])
  traceStart('cli')
  process.exitCode = await main(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    stdin: process.stdin,
    onStop(stop) {
      const onSignal = () => {
        // A second Ctrl-C means "now": skip the graceful drain.
        process.once('SIGINT', () => process.exit(130))
        process.once('SIGTERM', () => process.exit(143))
        stop()
      }
      process.once('SIGINT', onSignal)
      process.once('SIGTERM', onSignal)
    },
  })
  leaveSupervisor()
}

// Not a top-level await: the command is bundled as CommonJS (package.json,
// bundle:cli), which has none. A rejection would be a bug in hotcell: Node
// prints it and exits with 1, as it did with the top-level await.
void (supervised ? superviseChild() : serveHere())
