// `hotcell <entry>`: every flag once, with the serve() option it sets. The
// parser, --help and the flag → option mapping (with flag names in messages)
// are all read from this table.
import { DEFAULT_PORT, DEFAULT_WORKERS, mustBeInteger, type ServeOptions } from '../config/resolve-config.js'
import { HotcellError } from '../errors.js'
import { DEFAULT_INSPECT_PORT, mustBeInspect } from '../pool/inspector.js'
import type { Flag, FlagValues } from './flag-table.js'

export interface ServeFlag extends Flag {
  /** The serve() option (and config-file key) this flag sets. */
  readonly option?: keyof ServeOptions
  /** The command-line value as that option's value; `flag` is how messages name it. */
  readonly toOption?: (value: string | boolean | string[], flag: string) => unknown
}

const integer = (min: number, max: number) => (value: string | boolean | string[], flag: string) => mustBeInteger(value, flag, min, max)

export const SERVE_FLAGS: readonly ServeFlag[] = [
  {
    name: 'port',
    short: 'p',
    type: 'string',
    value: '<n>',
    help: 'port to listen on; 0 picks a free one',
    default: `$PORT or ${DEFAULT_PORT}`,
    option: 'port',
    toOption: integer(0, 65535),
  },
  { name: 'host', short: 'H', type: 'string', value: '<addr>', help: 'interface to bind', default: '127.0.0.1', option: 'host' },
  {
    name: 'workers',
    short: 'w',
    type: 'string',
    value: '<n>',
    help: 'worker threads; with more than one, module\nstate is per worker',
    default: String(DEFAULT_WORKERS),
    option: 'workers',
    toOption: integer(1, 64),
  },
  { name: 'body-limit', type: 'string', value: '<size>', help: 'larger request bodies get 413', default: '10mb', option: 'bodyLimit' },
  {
    name: 'max-memory',
    type: 'string',
    value: '<MiB>',
    help: 'memory limit per worker: its JS heap, and\nseparately its Buffers and ArrayBuffers;\na worker over either is replaced',
    default: 'none',
    option: 'maxMemory',
    toOption: integer(16, 1 << 20),
  },
  {
    name: 'timeout',
    type: 'string',
    value: '<time>',
    help: 'answer 504 when the handler has not answered\nthis long after the body is in (5s, 1500ms; a\nbare number is ms); a stuck worker is replaced.\nThe upload is not counted. Importing the entry\ngets 10 s, whatever this is',
    default: '30s',
    option: 'timeout',
  },
  {
    name: 'handler',
    type: 'string',
    value: '<style>',
    help: 'auto, fetch or node: how to read the export',
    default: 'auto (guessed from it)',
    option: 'handler',
  },
  {
    name: 'watch',
    type: 'string',
    multiple: true,
    value: '<path>',
    help: 'more files/folders to watch (repeatable; each must exist)',
    default: "the bundle's source folders",
    option: 'watch',
  },
  {
    name: 'ignore',
    type: 'string',
    multiple: true,
    value: '<glob>',
    help: 'paths never watched (repeatable); a glob\nwithout / matches names at any depth',
    // npm rewrites node_modules/.package-lock.json on every install: it is watched, so an install reloads (package-state.ts).
    default: "node_modules except npm's .package-lock.json in it, .git, .hotcell",
    option: 'ignore',
  },
  { name: 'reload', type: 'boolean', negated: true, help: 'serve without watching', default: 'watch and reload', option: 'reload' },
  { name: 'quiet', type: 'boolean', help: 'no request log, no banner: only the ready line,\nerrors and reloads', default: 'off', option: 'quiet' },
  { name: 'static', type: 'string', value: '<dir>', help: 'serve files from <dir> before the handler', default: 'none', option: 'static' },
  {
    name: 'allowed-hosts',
    type: 'string',
    value: '<l>',
    help: 'extra Host names, comma-separated; .example.com\nadds subdomains; all turns the check off',
    default: 'loopback names',
    option: 'allowedHosts',
    toOption: (value) => (value === 'all' ? 'all' : String(value).split(',')),
  },
  { name: 'expose-errors', type: 'boolean', help: 'show stacks to clients on other machines too', default: 'off', option: 'exposeErrors' },
  { name: 'live-reload', type: 'boolean', negated: true, help: 'do not refresh open browser tabs', default: 'refresh them', option: 'liveReload' },
  {
    name: 'env-file',
    type: 'string',
    multiple: true,
    value: '<path>',
    help: "variables for the handler only (workers); repeatable,\nlater files win, the shell's environment wins. Node\nreads this flag too: a missing file stops it with\n'node: <path>: not found' (envFile in the config does not)\n",
    default: '.env, .env.local in cwd, if present',
    option: 'envFile',
  },
  {
    name: 'inspect',
    type: 'string',
    value: '[=<port>]',
    help: 'debugger endpoint on 127.0.0.1 for the workers;\nrequest timeouts are off meanwhile',
    default: `off; port ${DEFAULT_INSPECT_PORT}`,
    option: 'inspect',
    toOption: (value, flag) => mustBeInspect(value, flag) ?? false,
  },
  {
    name: 'https',
    type: 'boolean',
    help: 'HTTPS and HTTP/2, with a self-signed certificate\nmade once and kept in your cache folder\n(--no-https overrides the config file)',
    default: 'off',
    option: 'https',
  },
  {
    name: 'cert',
    type: 'string',
    value: '<file>',
    help: 'your own certificate (PEM, e.g. from mkcert);\nimplies --https, needs --key',
    default: 'none',
    option: 'cert',
  },
  { name: 'key', type: 'string', value: '<file>', help: 'the private key of --cert (PEM, unencrypted)', default: 'none', option: 'key' },
  {
    name: 'config',
    short: 'c',
    type: 'string',
    value: '<file>',
    help: 'config file: export default defineConfig({…})\n',
    default: 'hotcell.config.{ts,mts,js,mjs} next to the entry, else in cwd',
  },
  { name: 'help', short: 'h', type: 'boolean', help: 'show this help' },
  { name: 'version', short: 'v', type: 'boolean', help: 'show the version' },
]

/**
 * `--inspect` alone means the default port; parseArgs wants a value for a string option.
 * So `--inspect 9230`, spaced as `--port 8080` is, would read 9230 as the entry file: refused, saying how to write it.
 */
export function normalizeInspectFlag(argv: string[]): string[] {
  const end = argv.includes('--') ? argv.indexOf('--') : argv.length
  return argv.map((arg, i) => {
    if (arg !== '--inspect' || i >= end) return arg
    const next = argv[i + 1]
    if (next !== undefined && /^\d+$/.test(next))
      throw new HotcellError('ERR_INVALID_OPTION', `--inspect takes its port after "=": --inspect=${next} (with a space, ${next} reads as the entry file)`)
    return `--inspect=${DEFAULT_INSPECT_PORT}`
  })
}

/** The options the flags set, and how each was spelled (messages about an option name the flag). */
export function flagsToOptions(values: FlagValues): { options: Partial<ServeOptions>; spelled: Map<keyof ServeOptions, string> } {
  const options: Record<string, unknown> = {}
  const spelled = new Map<keyof ServeOptions, string>()
  for (const flag of SERVE_FLAGS) {
    const value = values[flag.name]
    if (value === undefined || !flag.option) continue
    const name = flag.type === 'boolean' && value === false ? `--no-${flag.name}` : `--${flag.name}`
    options[flag.option] = flag.toOption ? flag.toOption(value, name) : value
    spelled.set(flag.option, name)
  }
  return { options: options as Partial<ServeOptions>, spelled }
}
