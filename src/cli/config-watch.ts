// The config file is read once per server process (cli-config.ts). So when it
// changes, or a file it imports does, new options apply by a new process:
// under the `hotcell` command the options are read again first, and only
// good ones end this process for a new one that the supervisor starts at once
// on the socket it holds (supervisor.ts), so that requests meanwhile wait
// instead of failing. Bad ones are reported as a start would report them, and
// this process serves on with the options it has. Without the supervisor
// nothing can start a new process: a line says to restart.
import { relative } from 'node:path'
import { HotcellError } from '../errors.js'
import type { Logger } from '../report/logger.js'
import { watchSources } from '../reload/watcher.js'
import type { CliConfig } from './cli-config.js'

// A save is often a burst (write, then format-on-save; a checkout of several
// files): the options are read once it is over, and the server restarts once.
const SETTLE_MS = 100

export interface ConfigWatchOptions {
  /** What this process serves with: the file it was read from, and that file's inputs. */
  current: CliConfig & { file: string; fileLabel: string }
  /** Read the options again, as a start would (throws a HotcellError for bad ones). */
  reread(): Promise<CliConfig>
  /** A supervisor can start a new server process: restart() is how new options apply. */
  canRestart: boolean
  /** End this server process for a new one. Called once at most. */
  restart(): void
  logger: Logger
  cwd: string
}

export interface ConfigWatch {
  /** Resolves once edits from now on are seen. */
  ready(): Promise<void>
  close(): Promise<void>
}

export function watchConfigFile({ current, reread, canRestart, restart, logger, cwd }: ConfigWatchOptions): ConfigWatch {
  const { file, fileLabel } = current
  let timer: NodeJS.Timeout | undefined
  let changed: string | undefined
  let reading = false
  let closed = false
  let restarting = false

  const watcher = watchSources({
    ignored: () => false,
    onChange: (_kind, path) => {
      if (closed || restarting) return
      changed ??= path
      clearTimeout(timer)
      timer = setTimeout(settle, SETTLE_MS)
    },
    onError: (error) => logger.warn(`hotcell: watching ${fileLabel} failed: ${error.message}`),
  })
  watcher.set(watchList(current))

  const settle = () => {
    // A change while the options are read is read after them.
    if (reading) {
      timer = setTimeout(settle, SETTLE_MS)
      return
    }
    const path = changed!
    changed = undefined
    const what = path === file ? fileLabel : `${relative(cwd, path) || path} (imported by ${fileLabel})`
    reading = true
    void apply(what).finally(() => {
      reading = false
    })
  }

  const apply = async (what: string) => {
    let next: CliConfig
    try {
      next = await reread()
    } catch (error) {
      // The message a start with these options would print, and no stack: it is about the file.
      const message = error instanceof HotcellError ? error.message : `${fileLabel} failed: ${(error as Error)?.message ?? String(error)}`
      logger.error(`hotcell: ${message}`)
      logger.warn(`↻ ${what} changed · the server keeps its options until ${fileLabel} is fixed and saved`)
      return
    }
    if (closed) return
    // Checked all the same: a restart by hand should not meet an error the save could have shown.
    if (!canRestart) {
      logger.info(`↻ ${what} changed · restart hotcell to apply it (the config file is read at start)`)
      return
    }
    // The next start may read other files (an import added or removed).
    watcher.set(watchList(next))
    restarting = true
    logger.info(`↻ ${what} changed · restarting the server with the new options`)
    restart()
  }

  return {
    ready: () => watcher.ready(),
    async close() {
      closed = true
      clearTimeout(timer)
      await watcher.close()
    },
  }
}

/** The config file, and what it imports; none of the project's packages (they are not bundled). */
function watchList({ file, inputs }: CliConfig): string[] {
  return [...new Set([...(file ? [file] : []), ...inputs])]
}
