import { nearestName } from '../config/nearest-name.js'
import type { Config } from '../config/resolve-config.js'
import { startServer } from '../dev-server.js'
import type { HotcellServer } from '../server-api.js'
import { HotcellError } from '../errors.js'
import { exposureLines } from '../report/exposure.js'
import { flagHelp, parseFlags } from './flag-table.js'
import { normalizeInspectFlag, SERVE_FLAGS } from './serve-flags.js'
import { createLogger } from '../report/logger.js'
import { resolveCliConfig, type CliConfig } from './cli-config.js'
import type { ConfigWatch } from './config-watch.js'
import { endProcessNow } from './end-now.js'
import { HELD_ADDRESS_NOTE } from './held-address.js'
import { isSupervised, reportAddress, requestRestart } from './supervisor-child.js'
import { packageVersion } from './package-version.js'

export interface CliIO {
  stdout: NodeJS.WritableStream
  stderr: NodeJS.WritableStream
  env: NodeJS.ProcessEnv
  /** Resolves when the user asks the server to stop (SIGINT/SIGTERM in the real CLI): `stop` with the signal. */
  onStop?: (stop: (signal?: 'SIGINT' | 'SIGTERM') => void) => void
  /** The terminal, for hotkeys (only when it is a TTY). */
  stdin?: NodeJS.ReadStream
}

export const HELP = `hotcell: a development server for TypeScript HTTP handlers

Usage
  hotcell <entry> [options]        serve <entry>, reloading on change
  hotcell serve <entry> [options]  the same
  hotcell bench <entry> [options]  benchmark the handler (hotcell bench --help)
  hotcell --help | --version

The entry's default export is the handler:
  export default { fetch(request, env, ctx) { return new Response('hi') } }
  export default (request) => new Response('hi')
  export default (req, res) => res.end('hi')      (Node style: an Express app, Koa app.callback())
Or the entry starts its own server (app.listen(3000), http.createServer(h).listen(),
serve() from @hono/node-server): hotcell serves that server's handler instead.

Options
${flagHelp(SERVE_FLAGS)}
Flags beat the config file; $PORT beats the config file's port.
Keys (in a terminal): r reload · o open in browser · c clear · q quit · h help

Examples
  hotcell src/app.ts
  hotcell src/app.ts --port 8080 --workers 2
`

/** The command line, callable from tests. Resolves to the exit code. */
export async function main(argv: string[], io: CliIO): Promise<number> {
  if (argv[0] === 'bench') {
    const { benchMain } = await import('../bench-command/command.js')
    return benchMain(argv.slice(1), io)
  }
  let server: HotcellServer
  let config: Config
  let fileLabel: string | undefined
  let session: Promise<typeof import('./serve-session.js')>
  let cli: CliConfig
  let watching: Promise<ConfigWatch> | undefined
  // The config file changed: the session ends, for a new server process.
  let restarting = false
  let stopSession: (() => void) | undefined
  const restart = () => {
    restarting = true
    stopSession?.()
  }
  try {
    const { values, positionals } = parseFlags(normalizeInspectFlag(argv), SERVE_FLAGS, 'hotcell --help')
    if (values.help) {
      io.stdout.write(HELP)
      return 0
    }
    if (values.version) {
      io.stdout.write(`hotcell ${packageVersion()}\n`)
      return 0
    }
    const args = positionals[0] === 'serve' ? positionals.slice(1) : positionals
    if (args.length > 1) {
      const command = positionals[0] === 'serve' ? undefined : nearestName(args[0]!, ['bench', 'serve'])
      if (command) throw new HotcellError('ERR_INVALID_OPTION', `unknown command "${args[0]}": did you mean hotcell ${command} ${args.slice(1).join(' ')}?`)
      throw new HotcellError('ERR_INVALID_OPTION', `expected one entry file, got ${args.length}: ${args.join(' ')}`)
    }
    const cwd = process.cwd()
    cli = await resolveCliConfig(args[0], values, io.env, cwd)
    // The r key works only where stdin is a terminal; under the supervisor it can also start a new server process (serve-session.ts).
    const keys = io.stdin?.isTTY === true ? (isSupervised() ? 'restart' : 'reload') : undefined
    config = keys ? { ...cli.config, keys } : cli.config
    fileLabel = cli.fileLabel
    const starting = startServer(config)
    // The config file's watcher starts beside the server, so the banner waits for neither.
    const reread = () => resolveCliConfig(args[0], values, io.env, cwd, true)
    watching = config.reload ? startConfigWatch(cli, reread, io, restart) : undefined
    // Loaded beside the start, which does not need it: the banner does.
    session = import('./serve-session.js')
    server = await starting
  } catch (error) {
    void watching?.then((watch) => watch.close())
    if (error instanceof HotcellError) {
      io.stderr.write(`hotcell: ${error.message}\n`)
      return 1
    }
    throw error
  }
  if (config.nextFreePort && server.port !== config.port)
    io.stdout.write(`hotcell: port ${config.port} is in use, so hotcell listens on ${server.port} (--port chooses one)\n`)
  const head = [`hotcell ready on ${server.url}`, ...exposureLines(config.host, server.port, config.exposeErrors, config.allowedHosts === 'all', server.url)]
  // Lines of a running session carry the time, as the server's own do.
  const log = createLogger({ quiet: false, stdout: io.stdout, stderr: io.stderr })
  if (cli.unusedCertificate) log.warn(`hotcell: ${cli.unusedCertificate}`)
  if (cli.moved) log.warn(`hotcell: ${cli.fileLabel ?? 'the options'} asks for ${cli.moved}, but ${HELD_ADDRESS_NOTE}`)
  reportAddress({ host: config.host, port: server.port })
  // After this turn: the 502s of the worker's requests go out first.
  // Supervised, the supervisor says next whether it starts a new one (not while stopping).
  const endLine = `hotcell: ending the server process now${isSupervised() ? '' : '; start hotcell again'}.`
  server.on('unstoppable', () => setImmediate(() => endProcessNow(endLine, log, isSupervised())))
  const configWatch = await watching
  const { runSession } = await session
  const onStop = (stop: (signal?: 'SIGINT' | 'SIGTERM') => void) => {
    io.onStop?.(stop)
    stopSession = stop
    if (restarting) stop()
  }
  // The r key, when only a new server process can load what failed (a native addon): asked of the supervisor, as a config change does.
  const newProcess = isSupervised()
    ? () =>
        void requestRestart().then(restart, (error: Error) =>
          log.warn(`hotcell: the server cannot restart by itself (${error.message}): restart hotcell to load the addon`),
        )
    : undefined
  const signal = await runSession(server, { ...io, onStop }, { version: packageVersion(), quiet: config.quiet, head, configFile: fileLabel, newProcess })
  await configWatch?.close()
  // close() writes the log's waiting lines first. A restart for new options is the app's reload: SIGTERM.
  const closed = server.close(restarting ? { restart: true } : { signal })
  // What the wait is for: with no request in flight, it is the app's own listeners (dev-server.ts's grace, pool/retirement.ts's bound).
  if (!restarting)
    log.info(
      `hotcell: shutting down (requests in flight and ctx.waitUntil() work get up to 5 s, then the app's ${signal ?? 'SIGTERM'} listeners up to 2 s; Ctrl-C again to stop now)`,
    )
  await closed
  return 0
}

/** Watch the config file in use, or for one created in the working folder (loaded only then); resolves once edits from now on are seen. */
async function startConfigWatch(current: CliConfig, reread: () => Promise<CliConfig>, io: CliIO, restart: () => void): Promise<ConfigWatch> {
  const logger = createLogger({ quiet: false, stdout: io.stdout, stderr: io.stderr })
  const watchOptions = {
    reread,
    canRestart: isSupervised(),
    // Asked before this process ends, so that the supervisor starts the next one at once.
    restart: () =>
      void requestRestart().then(restart, (error: Error) =>
        logger.warn(`hotcell: the server cannot restart by itself (${error.message}): restart hotcell to apply the new options`),
      ),
    logger,
    cwd: process.cwd(),
  }
  if (!current.file) return (await import('./config-creation.js')).watchConfigCreation(watchOptions)
  const { watchConfigFile } = await import('./config-watch.js')
  const watch = watchConfigFile({ ...watchOptions, current: current as CliConfig & { file: string; fileLabel: string } })
  await watch.ready()
  return watch
}
