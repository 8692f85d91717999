// The command line's developer-experience part: the config file, --env-file,
// --no-live-reload, --inspect, and what happens once the server is up (the
// banner, hotkeys). Kept apart from main.ts so that file stays small wiring.
import { styleText } from 'node:util'
import type { ParseArgsConfig } from 'node:util'
import type { ServeOptions } from '../config/resolve-config.js'
import { findConfigFile, loadConfigFile, type UserConfig } from '../config/config-file.js'
import type { HotcellServer } from '../dev-server.js'
import { bannerLines } from './banner.js'
import { installHotkeys } from './hotkeys.js'
import { DEFAULT_INSPECT_PORT, mustBeInspect } from '../pool/inspector.js'
import { openBrowser } from './open-browser.js'

export const DX_OPTIONS = {
  'live-reload': { type: 'boolean' },
  'env-file': { type: 'string', multiple: true },
  inspect: { type: 'string' },
  config: { type: 'string', short: 'c' },
} satisfies ParseArgsConfig['options']

export const DX_HELP = `      --no-live-reload    do not refresh open browser tabs         (default: refresh them)
      --env-file <path>   variables for the handler only (workers); repeatable,
                          later files win, the shell's environment wins
                                                                   (default: .env if present)
      --inspect[=<port>]  debugger endpoint on 127.0.0.1 for the workers;
                          request timeouts are off meanwhile       (default: off; port ${DEFAULT_INSPECT_PORT})
  -c, --config <file>     config file: export default defineConfig({…})
                          (default: hotcell.config.{ts,mts,js,mjs} next to the entry, else in cwd)
`

export const DX_NOTES = `Flags beat the config file; $PORT beats the config file's port.
Keys (in a terminal): r reload · o open in browser · c clear · q quit · h help`

/** `--inspect` alone means the default port; parseArgs wants a value for a string option. */
export function normalizeInspectFlag(argv: string[]): string[] {
  return argv.map((arg) => (arg === '--inspect' ? `--inspect=${DEFAULT_INSPECT_PORT}` : arg))
}

interface DxValues {
  'live-reload'?: boolean
  'env-file'?: string[]
  inspect?: string
  config?: string
  quiet?: boolean
}

export interface CliDx {
  /** The config file's options (paths already absolute), to spread under the flags. */
  options: UserConfig
  /** The config file's entry, for `hotcell` with no entry argument. */
  fileEntry: string | undefined
  /** Put this module's flags on `options`: they beat the config file. */
  applyFlags(options: ServeOptions): void
  /** Banner and hotkeys; resolves when the user asks to stop. */
  run(server: HotcellServer, io: RunIO, version: string): Promise<void>
}

interface RunIO {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; hasColors?: () => boolean }
  stderr: NodeJS.WritableStream
  onStop?: (stop: () => void) => void
  stdin?: NodeJS.ReadStream
  env: NodeJS.ProcessEnv
}

export async function cliConfig(values: DxValues, entry: string | undefined): Promise<CliDx> {
  const cwd = process.cwd()
  const file = findConfigFile(cwd, entry, values.config)
  const options = file ? await loadConfigFile(file, cwd) : {}
  let quiet = options.quiet === true
  return {
    options,
    fileEntry: options.entry,
    applyFlags(target) {
      if (values['live-reload'] === false) target.liveReload = false
      if (values['env-file']) target.envFile = values['env-file']
      if (values.inspect !== undefined) target.inspect = mustBeInspect(values.inspect) ?? false
      quiet = target.quiet === true
    },
    async run(server, io, version) {
      const color = Boolean(io.stdout.isTTY && io.stdout.hasColors?.() && !io.env.NO_COLOR)
      const tty = io.stdin?.isTTY === true
      if (!quiet) for (const line of bannerLines(server.info, { version, color, hotkeys: tty })) io.stdout.write(line + '\n')
      else if (server.info.inspector) io.stdout.write(`hotcell: debugger endpoint ${server.info.inspector}\n`)
      await new Promise<void>((resolve) => {
        let release = () => {}
        const stop = () => {
          release()
          resolve()
        }
        io.onStop?.(stop)
        if (!tty) return
        release = installHotkeys(io.stdin!, {
          reload: () => void server.reload(),
          open: () => openBrowser(server.url, (message) => io.stderr.write(message + '\n')),
          clear: () => io.stdout.write('\x1b[2J\x1b[3J\x1b[H'),
          quit: stop,
          forceQuit: () => process.exit(130),
          help: (text) => io.stdout.write((color ? styleText('dim', 'keys\n') : 'keys\n') + text),
        })
      })
    },
  }
}
