// hotcell.config.ts: the options of serve() in a file. Flags beat it.
import { existsSync, statSync } from 'node:fs'
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { bundleConfigFile } from '../reload/builder.js'
import { mustBeKnownKeys, type ServeOptions } from './resolve-config.js'
import { HotcellError } from '../errors.js'
import { codeFrame } from '../report/code-frame.js'
import { bundleFrame } from '../report/bundle-frame.js'
import { dynamicImport } from '../dynamic-import.js'
import { importIsolated } from './isolated-import.js'

/** What a config file's default export may hold: every option of serve(), the entry too. */
export type UserConfig = Partial<Omit<ServeOptions, 'log'>>

/** Typed identity: `export default defineConfig({ port: 8080 })` gets completion and checks. */
export function defineConfig(config: UserConfig): UserConfig {
  return config
}

export const CONFIG_NAMES = ['hotcell.config.ts', 'hotcell.config.mts', 'hotcell.config.js', 'hotcell.config.mjs']
// Paths in a config file are relative to the file, wherever hotcell is started from.
const PATH_KEYS = ['entry', 'cwd', 'static', 'watch', 'envFile', 'cert', 'key'] as const
// A config file read again while serving (`isolated`): how long its code may run.
const ISOLATED_DEADLINE_MS = 5_000
const OWN_INDEX = fileURLToPath(new URL('../index.js', import.meta.url))

/** The config file to use: `--config`, else one next to the entry, else one in cwd. */
export function findConfigFile(cwd: string, entry: string | undefined, explicit: string | undefined): string | undefined {
  if (explicit !== undefined) {
    const file = resolve(cwd, explicit)
    if (!existsSync(file)) throw new HotcellError('ERR_CONFIG_FILE', `config file not found: ${explicit} (looked in ${cwd})`)
    if (statSync(file).isDirectory()) {
      const inside = CONFIG_NAMES.find((name) => existsSync(join(file, name)))
      const hint = inside ? ` Did you mean ${join(explicit, inside)}?` : ` Name the file, e.g. ${join(explicit, CONFIG_NAMES[0]!)}.`
      throw new HotcellError('ERR_CONFIG_FILE', `--config must be a file, but ${explicit} is a folder.${hint}`)
    }
    return file
  }
  const dirs = [...new Set([...(entry ? [dirname(resolve(cwd, entry))] : []), cwd])]
  for (const dir of dirs) {
    for (const name of CONFIG_NAMES) if (existsSync(join(dir, name))) return join(dir, name)
  }
  return undefined
}

/** A config file's options, and the files it was built from (itself and what it imports), absolute. */
export interface LoadedConfigFile {
  options: UserConfig
  inputs: string[]
}

/**
 * Load a config file. It is the user's own trusted code, like the build
 * config of any tool, so it runs in this (main) process: bundled by esbuild
 * for TypeScript, then imported. Keys and values are checked here, with the
 * file named in the message. `isolated`: imported on a thread of its own,
 * with a deadline (isolated-import.ts), for a server that is serving.
 */
export async function loadConfigFile(file: string, cwd: string, isolated = false): Promise<LoadedConfigFile> {
  const label = relative(cwd, file) || basename(file)
  const outDir = join(dirname(file), '.hotcell')
  const outFile = join(outDir, `config-${process.pid}-${Date.now()}.mjs`)
  await mkdir(outDir, { recursive: true })
  await writeFile(join(outDir, '.gitignore'), '# hotcell build output\n*\n')
  let exported: unknown
  let called = false
  let inputs: string[]
  try {
    const built = await bundleConfigFile(file, outFile, OWN_INDEX)
    if (!built.ok) throw new HotcellError('ERR_CONFIG_FILE', `${label} does not build:\n${built.text.trimEnd()}`)
    inputs = built.inputs
    try {
      if (isolated) {
        const timedOut = () =>
          new HotcellError(
            'ERR_CONFIG_FILE',
            `${label} did not finish loading within ${ISOLATED_DEADLINE_MS / 1000} s: a loop, or a top-level await that never settles?`,
          )
        ;({ value: exported, called } = await importIsolated(pathToFileURL(outFile).href, ISOLATED_DEADLINE_MS, timedOut))
      } else {
        exported = (await dynamicImport<{ default?: unknown }>(pathToFileURL(outFile).href)).default
        // Called while the bundle and its map are still there: its throw is located like one at the top level.
        if (typeof exported === 'function') {
          called = true
          exported = await (exported as () => unknown)()
        }
        // export default loadOptions(): a promise of the options, as a function's would be.
        exported = await exported
      }
    } catch (error) {
      if (error instanceof HotcellError) throw error
      throw new HotcellError('ERR_CONFIG_FILE', threwWhileLoading(error, label, outFile, cwd))
    }
  } finally {
    await rm(outFile, { force: true })
    await rm(`${outFile}.map`, { force: true })
  }
  if (typeof exported !== 'object' || exported === null || Array.isArray(exported)) {
    const got = called ? `a function that returned ${kindOf(exported)}` : exported === undefined ? 'no default export' : kindOf(exported)
    throw new HotcellError('ERR_CONFIG_FILE', `${label} must export default defineConfig({ … }) (an object), got ${got}`)
  }
  const options = { ...(exported as Record<string, unknown>) }
  const base = dirname(file)
  if (typeof options.cwd === 'string') options.cwd = absolute(base, options.cwd)
  // Paths in the file are relative to the file. resolveConfig reads them
  // relative to cwd, so they are rewritten only when the file sits elsewhere:
  // messages then quote what the file says, not a resolved path.
  const rebase = (path: string) => {
    if (isAbsolute(path) || (base === cwd && options.cwd === undefined)) return path
    return options.cwd === undefined ? relative(cwd, resolve(base, path)) || '.' : resolve(base, path)
  }
  for (const key of PATH_KEYS) {
    const value = options[key]
    if (key === 'cwd') continue
    if (typeof value === 'string' && value !== '') options[key] = rebase(value)
    else if (Array.isArray(value)) options[key] = value.map((v) => (typeof v === 'string' && v !== '' ? rebase(v) : v))
  }
  // Values are checked once, by resolveConfig, with the file named in the
  // message (cli/main.ts); unknown keys here, where the file is known.
  mustBeKnownKeys(options, `${label}: `)
  return { options: options as UserConfig, inputs }
}

/**
 * What the config's own code threw, and where: file:line:column in the
 * source and a code frame, as a runtime error page shows one. No stack: its
 * other frames are hotcell's loader and Node's module machinery.
 */
function threwWhileLoading(error: unknown, label: string, bundle: string, cwd: string): string {
  const named = error instanceof Error && error.name !== 'Error' ? `${error.name}: ` : ''
  const message = `${label} threw while being loaded: ${named}${error instanceof Error ? error.message : String(error)}`
  const where = bundleFrame(error instanceof Error ? error.stack : undefined, bundle)
  if (!where) return message
  const frame = codeFrame(where)
  return `${message}\n${relative(cwd, where.file) || where.file}:${where.line}:${where.column}${frame ? `\n${frame}` : ''}`
}

function absolute(base: string, path: string): string {
  return isAbsolute(path) ? path : resolve(base, path)
}

/** How the message names a value that is not a config object: typeof says "object" for null and arrays too. */
function kindOf(value: unknown): string {
  if (value === null || value === undefined) return String(value)
  if (Array.isArray(value)) return 'an array'
  return `a ${typeof value}`
}
