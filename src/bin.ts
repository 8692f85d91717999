#!/usr/bin/env node
import { main } from './cli.js'

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
