import { HotcellError } from '../errors.js'
import { createLogger } from '../report/logger.js'
import { failureDocument } from './document.js'
import { BENCH_HELP, parseBenchArgs, type BenchOptions } from './options.js'
import { renderText } from './report.js'
import { reserveStdout } from './report-stdout.js'
import { runBench, type BenchOutcome, type BenchProgress } from './run-bench.js'
import { resolveServeSide, type ServeSide } from './serve-side.js'
import { packageVersion } from '../cli/package-version.js'

export interface BenchIO {
  stdout: NodeJS.WritableStream & { isTTY?: boolean }
  stderr: NodeJS.WritableStream & { isTTY?: boolean }
  /** The command line's Ctrl-C (SIGINT/SIGTERM), when there is one. */
  onStop?: (stop: () => void) => void
}

/** `hotcell bench …` (argv after the word `bench`). Resolves to the exit code. */
export async function benchMain(argv: string[], io: BenchIO): Promise<number> {
  const fail = (message: string) => {
    io.stderr.write(`hotcell bench: ${message}\n`)
    return 1
  }
  let options: BenchOptions
  let serveSide: ServeSide
  try {
    const parsed = parseBenchArgs(argv)
    if (parsed.help) {
      io.stdout.write(BENCH_HELP)
      return 0
    }
    if (parsed.version) {
      io.stdout.write(`hotcell ${packageVersion()}\n`)
      return 0
    }
    // Before any server starts: a bad --body-limit or config file gets serve's one line.
    serveSide = await resolveServeSide(parsed.options.entry, parsed.options.serveFlags, process.cwd())
    options = parsed.options
  } catch (error) {
    if (error instanceof HotcellError) return fail(error.message)
    throw error
  }

  const stdout = reserveStdout(io.stdout, io.stderr)
  const live = createProgress(options.json ? io.stderr : stdout.report, Boolean(io.stdout.isTTY), io.stderr)
  const progress: BenchProgress = { ...live, summary: (line) => io.stderr.write(`hotcell bench: ${line}\n`) }
  // Ctrl-C (the command line's stop): end the progress line and say why there is no report.
  io.onStop?.(() => {
    live.clear()
    io.stderr.write('hotcell bench: interrupted; no report\n')
    process.exit(130)
  })
  let outcome: BenchOutcome
  try {
    // The servers' own log (a failure's first report) on the terminal, without request lines.
    outcome = await runBench(options, serveSide, progress, createLogger({ quiet: true }))
    if (!outcome.ok && options.json) stdout.report.write(JSON.stringify(failureDocument(outcome.message, outcome.checks, outcome.startedAt), null, 2) + '\n')
  } finally {
    stdout.release()
  }
  if (!outcome.ok) return fail(outcome.message)
  const doc = outcome.document
  io.stdout.write(options.json ? JSON.stringify(doc, null, 2) + '\n' : renderText(doc))
  if (options.failOnErrors && doc.failures > 0)
    return fail(`${doc.failures} requests failed, got an unexpected status or were still unanswered when a run ended (--fail-on-errors)`)
  return 0
}

/**
 * On a terminal, one line rewritten in place. Elsewhere (a pipe, a CI log)
 * each step is a line of its own on stderr, so that a long run shows it is
 * alive and stdout holds only the report.
 */
function createProgress(stream: NodeJS.WritableStream, live: boolean, log: NodeJS.WritableStream): Omit<BenchProgress, 'summary'> {
  let shown = false
  const update = (line: string) => {
    if (!live) return
    stream.write(`\r\x1b[K${line}`)
    shown = true
  }
  const clear = () => {
    if (shown) stream.write('\r\x1b[K')
    shown = false
  }
  return {
    update,
    clear,
    step(line) {
      if (live) update(line)
      else log.write(`hotcell bench: ${line}\n`)
    },
    /** A line that stays, on a terminal too: what it says must not be overwritten by the next step. */
    note(line) {
      clear()
      log.write(`hotcell bench: ${line}\n`)
    },
  }
}
