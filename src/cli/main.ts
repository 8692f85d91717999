import { readFileSync } from 'node:fs'
import { relative } from 'node:path'
import { findConfigFile, loadConfigFile } from '../config/config-file.js'
import { nearestName } from '../config/nearest-name.js'
import { mustBeInteger, resolveConfig, type Config, type ServeOptions } from '../config/resolve-config.js'
import { startServer, type HotcellServer } from '../dev-server.js'
import { HotcellError } from '../errors.js'
import { exposureLines } from '../report/exposure.js'
import { flagHelp, parseFlags } from './flag-table.js'
import { flagsToOptions, normalizeInspectFlag, SERVE_FLAGS } from './serve-flags.js'

export interface CliIO {
  stdout: NodeJS.WritableStream
  stderr: NodeJS.WritableStream
  env: NodeJS.ProcessEnv
  /** Resolves when the user asks the server to stop (SIGINT/SIGTERM in the real CLI). */
  onStop?: (stop: () => void) => void
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
  try {
    const { values, positionals } = parseFlags(normalizeInspectFlag(argv), SERVE_FLAGS, 'hotcell --help')
    if (values.help) {
      io.stdout.write(HELP)
      return 0
    }
    if (values.version) {
      io.stdout.write(`hotcell ${version()}\n`)
      return 0
    }
    const args = positionals[0] === 'serve' ? positionals.slice(1) : positionals
    if (args.length > 1) {
      const command = positionals[0] === 'serve' ? undefined : nearestName(args[0]!, ['bench', 'serve'])
      if (command) throw new HotcellError('ERR_INVALID_OPTION', `unknown command "${args[0]}": did you mean hotcell ${command} ${args.slice(1).join(' ')}?`)
      throw new HotcellError('ERR_INVALID_OPTION', `expected one entry file, got ${args.length}: ${args.join(' ')}`)
    }
    const cwd = process.cwd()
    const file = findConfigFile(cwd, args[0], values.config as string | undefined)
    const fromFile = file ? await loadConfigFile(file, cwd) : {}
    const fromFlags = flagsToOptions(values)
    const entry = args[0] ?? fromFile.entry
    if (entry === undefined) throw new HotcellError('ERR_INVALID_OPTION', 'missing the entry file. Usage: hotcell <entry> [options], e.g. hotcell src/app.ts')
    const options: ServeOptions = { ...fromFile, ...fromFlags.options, entry }
    let portFromEnv = false
    if (fromFlags.options.port === undefined && io.env.PORT !== undefined) {
      options.port = mustBeInteger(io.env.PORT, 'PORT', 0, 65535)
      portFromEnv = true
    }
    fileLabel = file ? relative(cwd, file) || file : undefined
    config = resolveConfig(options, (key) => {
      const flag = fromFlags.spelled.get(key)
      if (flag) return flag
      if (key === 'port' && portFromEnv) return 'PORT'
      return fileLabel && key in fromFile ? `${fileLabel}: ${key}` : key
    })
    const starting = startServer(config)
    // Loaded beside the start, which does not need it: the banner does.
    session = import('./serve-session.js')
    server = await starting
  } catch (error) {
    if (error instanceof HotcellError) {
      io.stderr.write(`hotcell: ${error.message}\n`)
      return 1
    }
    throw error
  }
  if (config.nextFreePort && server.port !== config.port)
    io.stdout.write(`hotcell: port ${config.port} is in use, so hotcell listens on ${server.port} (--port chooses one)\n`)
  const head = [`hotcell ready on ${server.url}`, ...exposureLines(config.host, server.port, config.exposeErrors, config.allowedHosts === 'all')]
  const { runSession } = await session
  await runSession(server, io, { version: version(), quiet: config.quiet, head, configFile: fileLabel })
  // close() writes the log's waiting lines first.
  const closed = server.close()
  io.stdout.write('hotcell: shutting down (waiting up to 5 s for requests in flight)\n')
  await closed
  return 0
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }
  return pkg.version
}
