// The config file is read once per server process (cli-config.ts). So when it
// changes, or a file it imports does, new options apply by a new process:
// under the `hotcell` command the options are read again first, and only
// good ones end this process for a new one that the supervisor starts at once
// on the socket it holds (supervisor.ts), so that requests meanwhile wait
// instead of failing. Bad ones are reported as a start would report them, and
// this process serves on with the options it has, as it does when the file
// is deleted; created again, the file applies like a save. Without the
// supervisor nothing can start a new process: a line says to restart.
import { existsSync } from 'node:fs'
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
  /** The config file was deleted, and that was said: said once, until it is back. */
  let deleted = false
  let watched = new Set(watchList(current))

  const watcher = watchSources({
    ignored: () => false,
    onChange: (_kind, path) => {
      // chokidar watches the folder of a watched file that was deleted, and reports every file in it: a log
      // written there (`hotcell > log.txt`) is no import of the config, and reading the options for it fed itself.
      if (closed || restarting || !watched.has(path)) return
      // A burst that touched the config file is named by it.
      if (path === file) changed = path
      else changed ??= path
      clearTimeout(timer)
      timer = setTimeout(settle, SETTLE_MS)
    },
    onError: (error) => logger.warn(`hotcell: watching ${fileLabel} failed: ${error.message}`),
  })
  watcher.set(watched)

  const settle = () => {
    // A change while the options are read is read after them.
    if (reading) {
      timer = setTimeout(settle, SETTLE_MS)
      return
    }
    const path = changed!
    changed = undefined
    // Deleted (or renamed away) is not a config with no options: the server keeps the ones it has, and one line says so.
    if (!existsSync(file)) {
      if (!deleted) logger.warn(`↻ ${fileLabel} was deleted · the server keeps its options; create it again to apply it`)
      deleted = true
      return
    }
    const what = path === file ? fileLabel : `${relative(cwd, path) || path} (imported by ${fileLabel})`
    const verb = deleted ? 'created again' : 'changed'
    deleted = false
    reading = true
    void apply(what, verb).finally(() => {
      reading = false
    })
  }

  const apply = (what: string, verb: string) =>
    applyOptions({ reread, canRestart, restart, logger, fileLabel }, what, verb, {
      closed: () => closed,
      restarting: (next) => {
        // The next start may read other files (an import added or removed).
        watched = new Set(watchList(next))
        watcher.set(watched)
        restarting = true
      },
    })

  return {
    ready: () => watcher.ready(),
    async close() {
      closed = true
      clearTimeout(timer)
      await watcher.close()
    },
  }
}

/**
 * Read the options again and, when they are good, restart the server with
 * them; bad ones are reported as a start would, and the server keeps its own.
 * `what` and `verb` name the change in the line ("hotcell.config.ts changed").
 */
export async function applyOptions(
  { reread, canRestart, restart, logger, fileLabel }: Pick<ConfigWatchOptions, 'reread' | 'canRestart' | 'restart' | 'logger'> & { fileLabel: string },
  what: string,
  verb: string,
  state: { closed(): boolean; restarting(next: CliConfig): void },
): Promise<void> {
  let next: CliConfig
  try {
    next = await reread()
  } catch (error) {
    // The message a start with these options would print, and no stack: it is about the file.
    const message = error instanceof HotcellError ? error.message : `${fileLabel} failed: ${(error as Error)?.message ?? String(error)}`
    logger.error(`hotcell: ${message}`)
    logger.warn(`↻ ${what} ${verb} · the server keeps its options until ${fileLabel} is fixed and saved`)
    return
  }
  if (state.closed()) return
  // Checked all the same: a restart by hand should not meet an error the save could have shown.
  if (!canRestart) {
    logger.info(`↻ ${what} ${verb} · restart hotcell to apply it (the config file is read at start)`)
    return
  }
  state.restarting(next)
  logger.info(`↻ ${what} ${verb} · restarting the server with ${verb === 'created' ? 'its' : 'the new'} options`)
  restart()
}

/** The config file, and what it imports; none of the project's packages (they are not bundled). */
function watchList({ file, inputs }: CliConfig): string[] {
  return [...new Set([...(file ? [file] : []), ...inputs])]
}
