import { readFileSync } from 'node:fs'
import { parseArgs, type ParseArgsConfig } from 'node:util'
import { DEFAULT_PORT, defaultWorkers, mustBeInteger, type ServeOptions } from '../config/resolve-config.js'
import { serve, type HotcellServer } from '../dev-server.js'
import { benchMain } from '../bench-command/command.js'
import { HotcellError } from '../errors.js'
import { exposureLines } from '../report/exposure.js'
import { cliConfig, DX_HELP, DX_NOTES, DX_OPTIONS, normalizeInspectFlag } from './serve-session.js'

export interface CliIO {
  stdout: NodeJS.WritableStream
  stderr: NodeJS.WritableStream
  env: NodeJS.ProcessEnv
  /** Resolves when the user asks the server to stop (SIGINT/SIGTERM in the real CLI). */
  onStop?: (stop: () => void) => void
  /** The terminal, for hotkeys (only when it is a TTY). */
  stdin?: NodeJS.ReadStream
}

export const SERVE_OPTIONS = {
  port: { type: 'string', short: 'p' },
  host: { type: 'string', short: 'H' },
  workers: { type: 'string', short: 'w' },
  'body-limit': { type: 'string' },
  'max-memory': { type: 'string' },
  timeout: { type: 'string' },
  handler: { type: 'string' },
  watch: { type: 'string', multiple: true },
  ignore: { type: 'string', multiple: true },
  reload: { type: 'boolean' },
  quiet: { type: 'boolean' },
  'allowed-hosts': { type: 'string' },
  static: { type: 'string' },
  'expose-errors': { type: 'boolean' },
  ...DX_OPTIONS,
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} satisfies ParseArgsConfig['options']

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
  -p, --port <n>          port to listen on; 0 picks a free one    (default: $PORT or ${DEFAULT_PORT})
  -H, --host <addr>       interface to bind                        (default: 127.0.0.1)
  -w, --workers <n>       worker threads                           (default: min(4, cores) = ${defaultWorkers()})
      --body-limit <size> larger request bodies get 413            (default: 10mb)
      --max-memory <MiB>  heap limit per worker                    (default: none)
      --timeout <ms>      answer 504 after this long; a stuck worker is replaced (default: 30000)
      --handler <style>   fetch or node; how to read the export    (default: guessed)
      --watch <path>      more files/folders to watch (repeatable) (default: the bundle's source folders)
      --ignore <glob>     paths never watched (repeatable)         (default: node_modules, .git, .hotcell)
      --no-reload         serve without watching                   (default: watch and reload)
      --quiet             no request log, no banner: only errors
                          and reloads                              (default: off)
      --static <dir>      serve files from <dir> before the handler (default: none)
      --allowed-hosts <l> extra Host names, comma-separated; .example.com
                          adds subdomains; all turns the check off (default: loopback names)
      --expose-errors     show stacks to clients on other machines too (default: off)
${DX_HELP}  -h, --help              show this help
  -v, --version           show the version

${DX_NOTES}

Examples
  hotcell src/app.ts
  hotcell src/app.ts --port 8080 --workers 2
`

/** The command line, callable from tests. Resolves to the exit code. */
export async function main(argv: string[], io: CliIO): Promise<number> {
  if (argv[0] === 'bench') return benchMain(argv.slice(1), io)
  const fail = (message: string) => {
    io.stderr.write(`hotcell: ${message}\n`)
    return 1
  }
  let parsed
  try {
    parsed = parseArgs({ args: normalizeInspectFlag(argv), options: SERVE_OPTIONS, allowPositionals: true, allowNegative: true, strict: true })
  } catch (error) {
    return fail(usageMessage(error as Error & { code?: string }))
  }
  const { values, positionals } = parsed
  if (values.help) {
    io.stdout.write(HELP)
    return 0
  }
  if (values.version) {
    io.stdout.write(`hotcell ${version()}\n`)
    return 0
  }
  const args = positionals[0] === 'serve' ? positionals.slice(1) : positionals
  let dx
  try {
    dx = await cliConfig(values, args[0])
  } catch (error) {
    if (error instanceof HotcellError) return fail(error.message)
    throw error
  }
  if (args.length === 0 && dx.fileEntry) args.push(dx.fileEntry)
  if (args.length === 0) return fail('missing the entry file. Usage: hotcell <entry> [options], e.g. hotcell src/app.ts')
  if (args.length > 1) return fail(`expected one entry file, got ${args.length}: ${args.join(' ')}`)

  let server: HotcellServer
  try {
    const options: ServeOptions = { ...dx.options, entry: args[0]! }
    const port = values.port ?? io.env.PORT
    if (port !== undefined) options.port = mustBeInteger(port, values.port === undefined ? 'PORT' : '--port', 0, 65535)
    if (values.host !== undefined) options.host = values.host
    if (values.workers !== undefined) options.workers = mustBeInteger(values.workers, '--workers', 1, 64)
    if (values['body-limit'] !== undefined) options.bodyLimit = values['body-limit']
    if (values['max-memory'] !== undefined) options.maxMemory = mustBeInteger(values['max-memory'], '--max-memory', 16, 1 << 20)
    if (values.timeout !== undefined) options.timeout = mustBeInteger(values.timeout, '--timeout', 1, 2 ** 31 - 1)
    if (values.handler !== undefined) {
      if (values.handler !== 'fetch' && values.handler !== 'node') return fail(`--handler must be fetch or node (got "${values.handler}")`)
      options.handler = values.handler
    }
    if (values.watch) options.watch = values.watch
    if (values.ignore) options.ignore = values.ignore
    if (values.reload === false) options.reload = false
    if (values.quiet) options.quiet = true
    if (values['allowed-hosts'] !== undefined) options.allowedHosts = values['allowed-hosts'] === 'all' ? 'all' : values['allowed-hosts'].split(',')
    if (values.static !== undefined) options.static = values.static
    if (values['expose-errors']) options.exposeErrors = true
    dx.applyFlags(options)
    server = await serve(options)
  } catch (error) {
    if (error instanceof HotcellError) return fail(flagNames(error.message))
    throw error
  }
  io.stdout.write(`hotcell ready on ${server.url}\n`)
  for (const line of exposureLines((values.host ?? dx.options.host ?? '127.0.0.1').replace(/^\[(.*)\]$/, '$1'), server.port, values['expose-errors'] === true || dx.options.exposeErrors === true, (values['allowed-hosts'] ?? dx.options.allowedHosts) === 'all')) io.stdout.write(line + '\n')

  await dx.run(server, io, version())
  io.stdout.write('hotcell: shutting down (waiting up to 5 s for requests in flight)\n')
  await server.close()
  return 0
}

function usageMessage(error: Error & { code?: string }): string {
  const option = /'([^']+)'/.exec(error.message)?.[1]
  switch (error.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${option ?? ''}. Run hotcell --help to see the options.`
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return `${option ?? 'an option'} needs a value, e.g. ${option?.split(' ')[0] ?? '--port'} 8080. Run hotcell --help to see the options.`
    default:
      return `${error.message}. Run hotcell --help to see the options.`
  }
}

/** Messages from `serve()` name options as the API spells them; on the command line, say the flag. */
function flagNames(message: string): string {
  return message.replace(/^(bodyLimit|maxMemory|allowedHosts|static|envFile|liveReload|inspect)\b/, (name) => `--${name.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())}`)
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }
  return pkg.version
}
