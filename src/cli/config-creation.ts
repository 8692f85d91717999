// With no config file at start, one created in the working folder while
// hotcell runs applies as a save of it would: the options are read again and
// the server restarts with them (config-watch.ts). node:fs's watch on the one
// folder, not chokidar: chokidar reads a watched folder again at each event,
// and an app that appends to a log beside the config would pay for it at
// every line (docs/benchmarks.md, "The request log").
import { existsSync, watch } from 'node:fs'
import { join } from 'node:path'
import { CONFIG_NAMES } from '../config/config-file.js'
import type { CliConfig } from './cli-config.js'
import { applyOptions, type ConfigWatch, type ConfigWatchOptions } from './config-watch.js'

// A new file is often written twice (created, then saved in full).
const SETTLE_MS = 100

export function watchConfigCreation({ reread, canRestart, restart, logger, cwd }: Omit<ConfigWatchOptions, 'current'>): ConfigWatch {
  let timer: NodeJS.Timeout | undefined
  let name: string | undefined
  let reading = false
  let closed = false
  let restarting = false
  const settle = () => {
    if (reading) {
      timer = setTimeout(settle, SETTLE_MS)
      return
    }
    if (!name || !existsSync(join(cwd, name))) return
    reading = true
    void applyOptions({ reread, canRestart, restart, logger, fileLabel: name }, name, 'created', {
      closed: () => closed,
      restarting: (_next: CliConfig) => {
        restarting = true
      },
    }).finally(() => {
      reading = false
    })
  }
  let watcher: ReturnType<typeof watch> | undefined
  try {
    watcher = watch(cwd, { persistent: false }, (_event, file) => {
      if (closed || restarting || file === null || !CONFIG_NAMES.includes(String(file))) return
      name = String(file)
      clearTimeout(timer)
      timer = setTimeout(settle, SETTLE_MS)
    })
    watcher.on('error', () => watcher?.close())
  } catch {
    // A folder that cannot be watched: a config file created later applies at the next start, as it used to.
  }
  return {
    ready: () => Promise.resolve(),
    async close() {
      closed = true
      clearTimeout(timer)
      watcher?.close()
    },
  }
}
