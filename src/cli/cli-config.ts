// The options `hotcell` serves with: the config file's, beaten by the flags,
// and $PORT beating the file's port. Resolved at start, and again when the
// config file changes (config-watch.ts), so both read the same options.
import { existsSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { CONFIG_NAMES, findConfigFile, loadConfigFile, type LoadedConfigFile } from '../config/config-file.js'
import { mustBeInteger, resolveConfig, type Config, type ServeOptions } from '../config/resolve-config.js'
import { HotcellError } from '../errors.js'
import type { FlagValues } from './flag-table.js'
import { heldAddress, onHeldAddress } from './held-address.js'
import { flagsToOptions } from './serve-flags.js'
import { tellConfigLoading } from './supervisor-child.js'

export interface CliConfig {
  config: Config
  /** The config file in use, absolute; undefined without one. */
  file: string | undefined
  /** The same file as the user would name it (the banner's `config` line). */
  fileLabel: string | undefined
  /** What the config file was built from (itself and the files it imports), absolute. */
  inputs: string[]
  /** In a restarted server process: the address the options ask for instead of the held one ("port 4000"). */
  moved: string | undefined
  /** HTTPS turned off while a certificate is given (`--no-https` over a config file's `cert`): a line saying so. */
  unusedCertificate: string | undefined
}

/**
 * Throws a HotcellError naming the flag, variable or config file a bad option came from.
 * `isolated`: the config file's code runs on a thread of its own, with a deadline (a server that is serving reads it again).
 */
export async function resolveCliConfig(
  entryArg: string | undefined,
  values: FlagValues,
  env: NodeJS.ProcessEnv,
  cwd: string,
  isolated = false,
): Promise<CliConfig> {
  const file = findConfigFile(cwd, entryArg, values.config as string | undefined)
  const loaded = file ? await loadConfigFileTold(file, cwd, isolated) : { options: {}, inputs: [] }
  const fromFile = loaded.options
  const fromFlags = flagsToOptions(values)
  const entry = entryArg ?? fromFile.entry
  if (entry === undefined && file)
    throw new HotcellError(
      'ERR_INVALID_OPTION',
      `missing the entry file: ${relative(cwd, file) || file} has no entry. Add one to it (entry: 'src/app.ts'), or name it: hotcell src/app.ts`,
    )
  if (entry === undefined) {
    // Run from a subfolder of the project (scripts/, src/): the config is in a folder above, which is not looked in.
    const above = configAbove(cwd)
    const unread = UNREAD_CONFIG_NAMES.find((name) => existsSync(join(cwd, name)))
    const hint = above
      ? ` (${relative(cwd, above)} is above this folder: run hotcell where it is, or name it with --config ${relative(cwd, above)})`
      : unread
        ? ` (${unread} is not read: hotcell looks for ${CONFIG_NAMES.join(', ')}; rename it, or name it with --config ${unread})`
        : ''
    throw new HotcellError('ERR_INVALID_OPTION', `missing the entry file. Usage: hotcell <entry> [options], e.g. hotcell src/app.ts${hint}`)
  }
  const options: ServeOptions = { ...fromFile, ...fromFlags.options, entry }
  let portFromEnv = false
  if (fromFlags.options.port === undefined && env.PORT !== undefined) {
    options.port = mustBeInteger(env.PORT, 'PORT', 0, 65535)
    portFromEnv = true
  }
  const fileLabel = file ? relative(cwd, file) || file : undefined
  const name = (key: keyof ServeOptions) => {
    if (key === 'entry' && entryArg !== undefined) return key
    const flag = fromFlags.spelled.get(key)
    if (flag) return flag
    if (key === 'port' && portFromEnv) return 'PORT'
    return fileLabel && key in fromFile ? `${fileLabel}: ${key}` : key
  }
  const asked = resolveConfig(options, name)
  // Not an error: `npm run dev -- --no-https` over a script's --cert is an override. But it is said.
  const unused = options.https === false ? (['cert', 'key'] as const).filter((key) => options[key] !== undefined).map(name) : []
  const unusedCertificate = unused.length
    ? `${name('https')}: serving plain HTTP; ${unused.join(' and ')} ${unused.length > 1 ? 'are' : 'is'} not used`
    : undefined
  // A restarted server process serves on the socket the supervisor holds.
  const held = heldAddress(env)
  const { config, moved } = held ? onHeldAddress(asked, held) : { config: asked, moved: undefined }
  return { config, file, fileLabel, inputs: loaded.inputs, moved, unusedCertificate }
}

/** Config files someone may write that are not looked for (--config reads them). */
const UNREAD_CONFIG_NAMES = ['hotcell.config.json', 'hotcell.config.cjs', 'hotcell.config.cts']

/** At start, the supervisor hears of the load, and says so if it never ends (supervisor-child.ts). */
async function loadConfigFileTold(file: string, cwd: string, isolated: boolean): Promise<LoadedConfigFile> {
  if (isolated) return loadConfigFile(file, cwd, true)
  tellConfigLoading(relative(cwd, file) || file)
  try {
    return await loadConfigFile(file, cwd)
  } finally {
    tellConfigLoading(null)
  }
}

/** A config file in a folder above `cwd`, within its package (up to the nearest package.json). */
function configAbove(cwd: string): string | undefined {
  if (existsSync(join(cwd, 'package.json'))) return undefined
  for (let dir = dirname(cwd); dir !== dirname(dir); dir = dirname(dir)) {
    const name = CONFIG_NAMES.find((candidate) => existsSync(join(dir, candidate)))
    if (name) return join(dir, name)
    if (existsSync(join(dir, 'package.json'))) return undefined
  }
  return undefined
}
