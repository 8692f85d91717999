// `.env` files: variables for the handler only. They reach the workers through
// piscina's `env` option (a fresh process.env per generation), never the main
// process, so an edit takes effect with the next generation and nothing stale lingers.
import { existsSync, readFileSync, statSync } from 'node:fs'
import { relative, resolve } from 'node:path'
import { HotcellError } from '../errors.js'

// Not an ESM import of node:util (docs/architecture.md#builtins).
const { parseEnv } = process.getBuiltinModule('node:util')

export interface EnvFiles {
  /** Absolute paths, in order: later files win. Watched even while absent. */
  readonly paths: readonly string[]
  /** Named by the user (--env-file): a missing one is an error. The default files may be absent. */
  readonly explicit: boolean
}

/**
 * Read when present, as Vite and Next read them: `.env`, then `.env.local`
 * (uncommitted, machine-specific values) over it.
 */
export const DEFAULT_ENV_FILES = ['.env', '.env.local'] as const

export function mustBeEnvFiles(value: unknown, cwd: string, name = 'envFile'): EnvFiles {
  if (value === undefined) return Object.freeze({ paths: Object.freeze(DEFAULT_ENV_FILES.map((file) => resolve(cwd, file))), explicit: false })
  const list = typeof value === 'string' ? [value] : value
  if (!Array.isArray(list) || list.length === 0 || list.some((v) => typeof v !== 'string' || v === '')) {
    throw new HotcellError('ERR_INVALID_OPTION', `${name} must be a path or a list of paths (got ${JSON.stringify(value)})`)
  }
  const paths = (list as string[]).map((p) => resolve(cwd, p))
  for (const [i, path] of paths.entries()) {
    if (!existsSync(path)) throw new HotcellError('ERR_INVALID_OPTION', `${name} not found: ${list[i]} (looked in ${cwd})`)
    if (!statSync(path).isFile()) throw new HotcellError('ERR_INVALID_OPTION', `${name} must be a file, but ${list[i]} is a directory`)
  }
  return Object.freeze({ paths: Object.freeze(paths), explicit: true })
}

export interface LoadedEnv {
  /** process.env for the workers: the files' variables under this process's environment. */
  env: Record<string, string>
  /** How many variables came from files. */
  count: number
  /** The files' variables that the environment sets too: its values win (`shadowed`), as with node --env-file. */
  shadowed: string[]
  /** Explicit files that could not be read (deleted since start): said once per reload. */
  problems: string[]
  /** PORT as a file sets it for the handler (not the environment, which wins): not hotcell's own port (`--port`, `port`, `$PORT`). */
  port?: { value: string; file: string }
}

/**
 * Read the files now. As with `node --env-file` and dotenv, a variable already
 * set in the environment hotcell was started with wins over the file's.
 */
export function loadEnvFiles(files: EnvFiles, cwd: string, base: NodeJS.ProcessEnv = process.env): LoadedEnv {
  const fromFiles: Record<string, string> = {}
  const problems: string[] = []
  let portFile: string | undefined
  for (const path of files.paths) {
    let text: string
    try {
      text = readFileSync(path, 'utf8')
    } catch (error) {
      if (files.explicit) problems.push(`hotcell: cannot read env file ${relative(cwd, path)}: ${(error as Error).message}`)
      continue
    }
    const parsed = parseEnv(text)
    if (parsed.PORT !== undefined) portFile = path
    Object.assign(fromFiles, parsed)
  }
  const env: Record<string, string> = { ...fromFiles }
  for (const [name, value] of Object.entries(base)) if (value !== undefined) env[name] = value
  const port = portFile && base.PORT === undefined ? { port: { value: fromFiles.PORT!, file: portFile } } : {}
  const shadowed = Object.keys(fromFiles).filter((name) => base[name] !== undefined)
  return { env, count: Object.keys(fromFiles).length, shadowed, problems, ...port }
}
