// While a bench runs, stdout belongs to the report (`--json > result.json`
// must parse). The app's own output goes to stderr instead: console.log in its
// workers, which Node forwards to this process's stdout, and the notices of
// the server under test (an entry that calls listen() is told about once).

export interface ReservedStdout {
  /** Where the report and the live progress line are written. */
  report: NodeJS.WritableStream & { isTTY?: boolean }
  /** Give stdout back to everyone. */
  release(): void
}

export function reserveStdout(stdout: NodeJS.WritableStream & { isTTY?: boolean }, stderr: NodeJS.WritableStream): ReservedStdout {
  // A stream given by a caller (a test) is the report's alone already.
  if (stdout !== process.stdout) return { report: stdout, release() {} }
  const own = process.stdout.write
  const report = Object.assign(Object.create(process.stdout) as typeof process.stdout, { write: own.bind(process.stdout) })
  process.stdout.write = ((...args: Parameters<typeof own>) => (stderr.write as typeof own)(...args)) as typeof own
  return {
    report,
    release() {
      process.stdout.write = own
    },
  }
}
