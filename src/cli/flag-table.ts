// A command's flags as one table: the parser's options, the help text and the
// "did you mean" suggestions all derive from it, so a flag cannot be parsed
// but undocumented, or documented with a stale default.
import type { ParseArgsConfig } from 'node:util'
import { nearestName } from '../config/nearest-name.js'
import { HotcellError } from '../errors.js'

// Not an ESM import of node:util (docs/architecture.md#builtins).
const { parseArgs } = process.getBuiltinModule('node:util')

export interface Flag {
  /** Long name without dashes: `port` is `--port`. */
  readonly name: string
  readonly short?: string
  readonly type: 'string' | 'boolean'
  readonly multiple?: boolean
  /** A switch documented as `--no-<name>` (on by default). */
  readonly negated?: boolean
  /** How help shows the value: `<n>`. */
  readonly value?: string
  /** What it does; `\n` starts a new help line. */
  readonly help: string
  /** What applies without the flag, for help's "(default: …)". Absent for --help and --version. */
  readonly default?: string
}

export type FlagValues = Record<string, string | boolean | string[] | undefined>

export function parserOptions(flags: readonly Flag[]): NonNullable<ParseArgsConfig['options']> {
  const options: NonNullable<ParseArgsConfig['options']> = {}
  for (const flag of flags) {
    options[flag.name] = { type: flag.type, ...(flag.short ? { short: flag.short } : {}), ...(flag.multiple ? { multiple: true } : {}) }
  }
  return options
}

/**
 * Parse `argv` against the table. A mistake is a HotcellError with one line
 * that names the flag, suggests the nearest one, and points at `help`.
 */
export function parseFlags(argv: string[], flags: readonly Flag[], help: string): { values: FlagValues; positionals: string[] } {
  const oneDash = singleDashLongFlag(argv, flags)
  if (oneDash)
    throw new HotcellError('ERR_INVALID_OPTION', `unknown option -${oneDash}: long options take two dashes (--${oneDash}). Run ${help} to see the options.`)
  try {
    const args = joinNegativeValues(argv, flags)
    const { values, positionals } = parseArgs({ args, options: parserOptions(flags), allowPositionals: true, allowNegative: true, strict: true })
    return { values: values as FlagValues, positionals }
  } catch (error) {
    throw new HotcellError('ERR_INVALID_OPTION', `${usageMessage(error as Error & { code?: string }, flags)} Run ${help} to see the options.`)
  }
}

/**
 * `-c -5`: parseArgs takes `-5` for a flag and reports that -c "needs a
 * value". Given as `--connections=-5`, the value reaches the flag's own check,
 * which says what the value must be.
 */
function joinNegativeValues(argv: string[], flags: readonly Flag[]): string[] {
  const args: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === '--') return [...args, ...argv.slice(i)]
    const flag = flags.find((f) => f.type === 'string' && (arg === `--${f.name}` || (f.short !== undefined && arg === `-${f.short}`)))
    const next = argv[i + 1]
    if (flag && next !== undefined && /^-\d/.test(next)) {
      args.push(`--${flag.name}=${next}`)
      i++
    } else args.push(arg)
  }
  return args
}

/**
 * A long flag's name after one dash (`-port 3000`), which parseArgs reads as
 * short flags (`-p ort`) and which would then surface as a confusing error
 * about something else (a second entry file, a port that is not a number).
 */
function singleDashLongFlag(argv: string[], flags: readonly Flag[]): string | undefined {
  const names = new Set(flags.flatMap((flag) => (flag.negated ? [flag.name, `no-${flag.name}`] : [flag.name])))
  for (const arg of argv) {
    if (arg === '--') return undefined
    const name = /^-([a-z][a-z-]+)(?:=.*)?$/.exec(arg)?.[1]
    if (name && names.has(name)) return name
  }
  return undefined
}

function usageMessage(error: Error & { code?: string }, flags: readonly Flag[]): string {
  const option = /'([^']+)'/.exec(error.message)?.[1]
  switch (error.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION': {
      const suggestion = option ? suggestFlag(option, flags) : undefined
      return `unknown option ${option ?? ''}.${suggestion ? ` Did you mean ${suggestion}?` : ''}`
    }
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
      // parseArgs names a string option as "-p, --port <value>" and a boolean one as "--quiet".
      const flag = option?.split(' ').find((part) => part.startsWith('--')) ?? option
      const spec = flags.find((f) => `--${f.name}` === flag)
      return spec?.type === 'boolean' ? `${flag} takes no value.` : `${flag ?? 'an option'} needs a value: ${flag ?? ''} ${spec?.value ?? '<value>'}.`
    }
    default:
      return `${error.message}.`
  }
}

/** The flag nearest to a mistyped one (`--prot` → `--port`), when one is near enough to be meant. */
export function suggestFlag(given: string, flags: readonly Flag[]): string | undefined {
  const spellings = flags.flatMap((flag) => (flag.negated ? [flag.name, `no-${flag.name}`] : [flag.name]))
  const nearest = nearestName(given.replace(/^-+/, '').split('=')[0]!, spellings)
  return nearest === undefined ? undefined : `--${nearest}`
}

const NAME_WIDTH = 26
const DEFAULT_COLUMN = 67
const LINE_WIDTH = 100

/** The "Options" block of a help text: one entry per flag, each with its default. */
export function flagHelp(flags: readonly Flag[]): string {
  let out = ''
  for (const flag of flags) {
    const spelled = `${flag.short ? `-${flag.short}, ` : '    '}--${flag.negated ? 'no-' : ''}${flag.name}${flag.value ? `${flag.value.startsWith('[') ? '' : ' '}${flag.value}` : ''}`
    const lines = flag.help.split('\n')
    const name = `  ${spelled}`
    const first = name.length < NAME_WIDTH ? name.padEnd(NAME_WIDTH) : `${name}\n${' '.repeat(NAME_WIDTH)}`
    const body = lines.map((line, i) => (i === 0 ? first : ' '.repeat(NAME_WIDTH)) + line)
    if (flag.default !== undefined) {
      const note = `(default: ${flag.default})`
      const last = body[body.length - 1]!
      const tail = last.slice(last.lastIndexOf('\n') + 1)
      // In the defaults' column when it fits; after the text when that fits; else on a line of its own.
      const column = DEFAULT_COLUMN + note.length <= LINE_WIDTH ? DEFAULT_COLUMN : NAME_WIDTH
      if (tail.trim() === '' || tail.length < column)
        body[body.length - 1] = tail.trim() === '' ? ' '.repeat(column) + note : last + ' '.repeat(column - tail.length) + note
      else if (tail.length + 1 + note.length <= LINE_WIDTH) body[body.length - 1] = `${last} ${note}`
      else body.push(' '.repeat(column) + note)
    }
    out += body.join('\n') + '\n'
  }
  return out
}
