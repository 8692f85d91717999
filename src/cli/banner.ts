// The lines after "hotcell ready on URL": what is running, and how to drive it.
import type { ServerInfo } from '../server-api.js'

// Not an ESM import of node:util (docs/architecture.md#builtins).
const { styleText } = process.getBuiltinModule('node:util')

export interface BannerOptions {
  version: string
  color: boolean
  /** Hotkeys are on (stdin is a terminal). */
  hotkeys: boolean
  /** The config file in use, as the user would name it. */
  configFile?: string
  /** The port the server listens on. */
  port?: number
}

export function bannerLines(info: ServerInfo, { version, color, hotkeys, configFile, port }: BannerOptions): string[] {
  const dim = (text: string) => (color ? styleText('dim', text) : text)
  const lines = [
    `  ${dim('hotcell')} ${version} · entry ${info.entry} · ${info.workers} worker${info.workers === 1 ? '' : 's'} · first build ${info.buildFailed ? 'failed' : `${info.buildMs.toFixed(1)} ms`}`,
  ]
  if (configFile) lines.push(`  ${dim('config')}  ${configFile}`)
  if (info.workers > 1)
    lines.push(`  ${dim('state')}   ${info.workers} workers: module state is per worker (each has its own in-memory stores, sessions and caches)`)
  if (info.envVars)
    lines.push(
      `  ${dim('env')}     ${info.envVars} variable${info.envVars === 1 ? '' : 's'} from env files, for the handler only${shadowedNote(info.envShadowed)}`,
    )
  // An Express-style .env holds PORT for app.listen(process.env.PORT): that is not hotcell's port, which a user would expect.
  const envPort = info.envPort
  if (envPort && port !== undefined && envPort.value !== String(port))
    lines.push(
      `  ${dim('env')}     PORT=${envPort.value} in ${envPort.file} is for the handler only; hotcell listens on ${port} (--port ${envPort.value}, or port in hotcell.config.ts, to change that)`,
    )
  if (!info.liveReload) lines.push(`  ${dim('browser')} live reload off`)
  if (info.tls) lines.push(`  ${dim('https')}   ${info.tls}`)
  if (info.inspector)
    lines.push(
      `  ${dim('debug')}   ${info.inspector} · attach VS Code to 127.0.0.1:${new URL(info.inspector).port} (chrome://inspect sees the main thread, not the handler's workers); request timeouts are off`,
    )
  if (hotkeys) lines.push(`  ${dim('keys')}    r reload · o open in browser · c clear · q quit · h help`)
  return lines
}

/** The env files' variables the environment also sets: a value in .env that seems ignored is the first thing people ask about. */
function shadowedNote(names: readonly string[]): string {
  if (!names.length) return ''
  const shown = names.length > 3 ? `${names.slice(0, 3).join(', ')} and ${names.length - 3} more` : names.join(', ')
  return `; ${shown} ${names.length === 1 ? 'is' : 'are'} set in the environment too, whose value${names.length === 1 ? '' : 's'} the handler gets`
}
