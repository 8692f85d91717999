// The helpers the hot-reload tests share (reload.test.ts, generations.test.ts,
// half-saved.test.ts): a served project, the next reload event, a page's text.
import { serve, type HotcellServer } from '../src/index.js'
import type { ReloadInfo } from '../src/reload/reload-info.js'
import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { RELOAD_CHANNEL } from '../src/reload/trace.js'
import { cleanup, projectDir, request, withDeadline, serveProject } from './helpers.js'

export async function start(files: Record<string, string> | ((dir: string) => Record<string, string>), options: { workers?: number; reload?: boolean } = {}) {
  // A function of the folder writes files that name it: create the folder first.
  if (typeof files !== 'function') return serveProject(files, options)
  const project = projectDir({})
  cleanup(project.remove)
  for (const [name, body] of Object.entries(files(project.dir))) project.write(name, body)
  const server = await serve({
    entry: `${project.dir}/app.ts`,
    port: 0,
    workers: options.workers ?? 1,
    quiet: !process.env.DEBUG_HOTCELL,
    reload: options.reload ?? true,
  })
  cleanup(() => server.close())
  return { project, server }
}

/** Resolve with the next reload event that satisfies `match`. */
export function nextReload(server: HotcellServer, match: (info: ReloadInfo) => boolean = () => true, ms = 20_000): Promise<ReloadInfo> {
  return withDeadline(
    new Promise<ReloadInfo>((resolve) => {
      const listener = (info: ReloadInfo) => {
        if (!match(info)) return
        server.off('reload', listener)
        resolve(info)
      }
      server.on('reload', listener)
    }),
    ms,
    'a reload',
  )
}

export const text = async (url: string) => (await request(url)).text

/** Builds that finish from now on (good or bad), in any server of this process, until the test ends. */
export function countBuilds(): { readonly count: number } {
  const counter = { count: 0 }
  const onPhase = (message: unknown) => {
    if ((message as { phase: string }).phase === 'built') counter.count++
  }
  subscribe(RELOAD_CHANNEL, onPhase)
  cleanup(() => unsubscribe(RELOAD_CHANNEL, onPhase))
  return counter
}

/**
 * Run `action` as the next build (in any server of this process) finishes,
 * before its reload looks at the result: a write that lands while a failed
 * build is being looked at, as the next write of a git checkout can.
 */
export function atNextBuild(action: () => void): void {
  const onPhase = (message: unknown) => {
    if ((message as { phase: string }).phase !== 'built') return
    unsubscribe(RELOAD_CHANNEL, onPhase)
    action()
  }
  subscribe(RELOAD_CHANNEL, onPhase)
  cleanup(() => unsubscribe(RELOAD_CHANNEL, onPhase))
}
