// The entry option: the one file whose default export is the handler. A
// mistake here is the first thing a new user meets, so each message says
// what is wrong and names the file most likely meant.
import { existsSync, readdirSync, statSync } from 'node:fs'
import { basename, dirname, extname, join, resolve } from 'node:path'
import { HotcellError } from '../errors.js'
import { nearestName } from './nearest-name.js'

/** What an entry named without its extension may be, in the order looked for. */
const ENTRY_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs']
/** The names a project's entry usually has, looked for in a folder named as the entry. */
const USUAL_NAMES = ['app', 'index', 'server', 'main']

/**
 * The entry as an absolute path, or a HotcellError naming the problem.
 * `named`: who named it, for a config file's key ("hotcell.config.ts: entry"); '' for the command line or serve().
 */
export function mustBeEntry(value: unknown, cwd: string, named: string): string {
  if (typeof value !== 'string' || value === '') {
    throw new HotcellError('ERR_INVALID_OPTION', 'entry must name the file that exports your handler, e.g. src/app.ts')
  }
  const entry = resolve(cwd, value)
  if (!existsSync(entry)) {
    // `hotcell src/app`, as an import would name it: say which file that is.
    const meant = extname(entry) ? meantFile(entry) : ENTRY_EXTENSIONS.find((ext) => isFile(entry + ext))
    const hint = !meant ? commandHint(value, named) : extname(entry) ? ` Did you mean ${join(dirname(value), meant)}?` : ` Did you mean ${value}${meant}?`
    const from = named ? `, named by ${named}` : ''
    throw new HotcellError('ERR_ENTRY_NOT_FOUND', `entry file not found: ${value}${from} (looked in ${cwd}).${hint}`)
  }
  if (!statSync(entry).isFile()) {
    // A package's folder (`hotcell apps/web` from a monorepo's root): its entry is as likely in its src/.
    const usual = USUAL_NAMES.flatMap((name) => ENTRY_EXTENSIONS.map((ext) => name + ext))
    const inFolder = usual.filter((name) => isFile(join(entry, name)))
    const inside = inFolder.length ? inFolder : usual.map((name) => join('src', name)).filter((name) => isFile(join(entry, name)))
    const hint = inside.length
      ? ` Did you mean ${inside.map((name) => join(value, name)).join(' or ')}?`
      : ' Name the file that exports your handler, e.g. src/app.ts.'
    throw new HotcellError('ERR_ENTRY_NOT_FOUND', `entry must be a file, but ${value} is a folder.${hint}`)
  }
  if (!ENTRY_EXTENSIONS.includes(extname(entry))) {
    throw new HotcellError(
      'ERR_INVALID_OPTION',
      `entry must be a TypeScript or JavaScript module (${ENTRY_EXTENSIONS.join(', ')}) that exports your handler, but ${value} is not one`,
    )
  }
  return entry
}

/** `hotcell help`, `hotcell start`: a word where the entry goes was meant as a command. */
function commandHint(value: string, named: string): string {
  if (named || !/^[a-z][a-z-]*$/.test(value)) return ''
  return ` hotcell's commands are \`hotcell <entry>\` and \`hotcell bench <entry>\`; for the options: hotcell --help.`
}

/** A file beside a missing entry with a name one or two edits away (`app.js` for app.ts, `ap.ts`): the one meant. */
function meantFile(entry: string): string | undefined {
  let names: string[]
  try {
    names = readdirSync(dirname(entry)).filter((name) => ENTRY_EXTENSIONS.includes(extname(name)))
  } catch {
    return undefined // The folder is missing too.
  }
  return nearestName(basename(entry), names)
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile()
  } catch {
    return false
  }
}
