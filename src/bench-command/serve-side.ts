// The serve options that change what a request gets, which `hotcell bench`
// takes as `hotcell` does: serve's own flags (its table's parsing and help),
// the same config file keys, flags beating the file, and serve's messages for
// a bad value. Without them an 11 MB body could only get 413 and a request
// with `Host: api.myapp.test` only 403, whatever the project's config said.
import { relative } from 'node:path'
import { resolveCliConfig } from '../cli/cli-config.js'
import type { Flag, FlagValues } from '../cli/flag-table.js'
import { SERVE_FLAGS } from '../cli/serve-flags.js'
import { findConfigFile, loadConfigFile } from '../config/config-file.js'
import { resolveConfig, type Config, type ServeOptions } from '../config/resolve-config.js'

const serveFlag = (name: string): Flag => SERVE_FLAGS.find((flag) => flag.name === name)!

/**
 * Taken from serve as they are. --handler: the baseline reads the export the
 * same way. Not --static (the baseline serves no files), nor the address,
 * reload and TLS flags (the bench's own), nor --max-memory and --expose-errors
 * (they change nothing for a handler that answers, on 127.0.0.1).
 */
export const SHARED_SERVE_FLAGS: readonly Flag[] = ['body-limit', 'allowed-hosts', 'env-file', 'handler'].map(serveFlag)

// Long name only: -c is the bench's --connections.
const { short: _connections, ...config } = serveFlag('config')
export const CONFIG_FLAG: Flag = config

/** What the servers under test take from the config file and the flags above (and --timeout, which the bench has anyway). */
export type ServeSide = Pick<Config, 'bodyLimit' | 'allowedHosts' | 'envFiles' | 'handler' | 'timeoutMs' | 'loaders'>

/** The shared flags and --config, as given on the command line; the rest of `values` is the bench's own. */
export function sharedValues(values: FlagValues): FlagValues {
  const shared: FlagValues = {}
  for (const flag of [...SHARED_SERVE_FLAGS, CONFIG_FLAG, serveFlag('timeout')]) if (values[flag.name] !== undefined) shared[flag.name] = values[flag.name]
  return shared
}

/**
 * Resolved by `hotcell`'s own code (cli-config.ts): the config file next to
 * the entry or in cwd (or --config), the flags over it, a bad value named by
 * its flag or file key. The file's other options (port, workers, https …) are
 * checked as serve checks them, and left to the bench's flags.
 */
export async function resolveServeSide(entry: string, shared: FlagValues, cwd: string): Promise<ServeSide> {
  // No environment: $PORT and a supervisor's held socket are for serving.
  const { config } = await resolveCliConfig(entry, shared, {}, cwd)
  const { bodyLimit, allowedHosts, envFiles, handler, timeoutMs, loaders } = config
  return { bodyLimit, allowedHosts, envFiles, handler, timeoutMs, loaders }
}

/** What bench() takes from serve()'s options, as the command takes the shared flags. */
export type SharedServeOptions = Pick<ServeOptions, 'timeout' | 'bodyLimit' | 'allowedHosts' | 'envFile' | 'handler' | 'loaders'>

/**
 * bench()'s, as resolveServeSide() reads the command's: the config file
 * `config` names (from `cwd`), else the one next to the entry or in `cwd`,
 * none with `false`; the options given beat its keys as flags do, and a bad
 * value in it is named `hotcell.config.ts: bodyLimit`. Its other keys are
 * checked as serve() checks them, and left to bench()'s options.
 */
export async function serveSideOf(entry: string, given: SharedServeOptions, config: string | false | undefined, cwd: string): Promise<ServeSide> {
  const file = config === false ? undefined : findConfigFile(cwd, entry, config)
  const fromFile = file ? (await loadConfigFile(file, cwd)).options : {}
  const label = file && (relative(cwd, file) || file)
  const name = (key: keyof ServeOptions) => (label && !(key in given) && key in fromFile ? `${label}: ${key}` : key)
  // The entry and the folder are bench()'s own: the file's would move what the command line named.
  const resolved = resolveConfig({ ...fromFile, ...given, entry, cwd }, name)
  const { bodyLimit, allowedHosts, envFiles, handler, timeoutMs, loaders } = resolved
  return { bodyLimit, allowedHosts, envFiles, handler, timeoutMs, loaders }
}
