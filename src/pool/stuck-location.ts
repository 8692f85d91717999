// Where is a stuck worker stuck? Before the watchdog terminates it, pause it
// with the inspector — a Session on the main thread reaches worker threads
// through the NodeWorker domain, and Debugger.pause interrupts even a
// synchronous loop (measured: ~60 ms) — then map the top user frame of the
// bundle back to the .ts source through the bundle's source map.
import { Session } from 'node:inspector'
import { SourceMap, type SourceMapPayload } from 'node:module'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Worker } from 'node:worker_threads'
import { readBundleMap } from '../../workers/bundle-map.js'
import { codeFrame } from '../report/code-frame.js'
import { changedNote, excerptFrame } from '../report/ran-source.js'
import { isProjectFile, shownPath, type ProjectRoots } from '../report/source-files.js'

interface CallFrame {
  functionName: string
  url: string
  location: { scriptId: string; lineNumber: number; columnNumber: number }
}

/** "src/app.ts:12:5 in spin()" and a code frame; undefined if it could not be found in time. */
export async function locateStuck(worker: Worker, roots: ProjectRoots, timeoutMs = 2000): Promise<string | undefined> {
  const threadId = worker.threadId
  const session = new Session()
  session.connect()
  const post = <T>(method: string, params?: object) =>
    new Promise<T>((resolvePost, reject) => session.post(method, params ?? {}, (error, result) => (error ? reject(error) : resolvePost(result as T))))
  let timer: NodeJS.Timeout | undefined
  let sessionId: string | undefined
  let n = 0
  const scripts = new Map<string, string>()
  const send = (method: string) => post('NodeWorker.sendMessageToWorker', { sessionId, message: JSON.stringify({ id: ++n, method }) })
  try {
    const attached = new Promise<string>((found) =>
      session.on('NodeWorker.attachedToWorker', ({ params }: { params: { sessionId: string; workerInfo: { workerId: string; title: string } } }) => {
        // workerId is the inspector's own counter; the title carries the thread id.
        if (params.workerInfo.title.startsWith(`[worker ${threadId}]`)) found(params.sessionId)
      }),
    )
    const paused = new Promise<CallFrame[]>((found) =>
      session.on('NodeWorker.receivedMessageFromWorker', ({ params }: { params: { sessionId: string; message: string } }) => {
        if (params.sessionId !== sessionId) return
        const message = JSON.parse(params.message) as { method?: string; params?: { callFrames: CallFrame[]; scriptId: string; url: string } }
        if (message.method === 'Debugger.scriptParsed') scripts.set(message.params!.scriptId, message.params!.url)
        if (message.method === 'Debugger.paused') found(message.params!.callFrames)
      }),
    )
    const expired = new Promise<undefined>((done) => (timer = setTimeout(() => done(undefined), timeoutMs)))
    const work = (async () => {
      await post('NodeWorker.enable', { waitForDebuggerOnStart: false })
      sessionId = await attached
      await send('Debugger.enable')
      await send('Debugger.pause')
      const frames = await paused
      // Call frames name their script by id; its URL came with scriptParsed.
      for (const frame of frames) frame.url ||= scripts.get(frame.location.scriptId) ?? ''
      return describe(frames, roots)
    })()
    work.catch(() => {})
    return await Promise.race([work, expired])
  } catch {
    return undefined
  } finally {
    clearTimeout(timer)
    // Let it run again so that terminate() can end it, then let go.
    if (sessionId) await send('Debugger.resume').catch(() => {})
    if (sessionId) await post('NodeWorker.detach', { sessionId }).catch(() => {})
    session.disconnect()
  }
}

function describe(frames: CallFrame[], roots: ProjectRoots): string | undefined {
  for (const frame of frames) {
    const place = original(frame)
    if (!place) continue
    if (!isProjectFile(place.file, roots)) continue
    const where = `${shownPath(place.file, roots)}:${place.line}:${place.column}${frame.functionName ? ` in ${frame.functionName}()` : ''}`
    // The source the bundle was built from, which the map carries: a worker of a retiring generation may be stuck in code saved over since.
    const ran = place.built === undefined ? undefined : excerptFrame({ file: place.file, first: 1, lines: place.built.split(/\r?\n/) }, place)
    const source = ran?.frame ?? codeFrame(place)
    const note = ran?.changed ? `${changedNote(shownPath(place.file, roots))}\n` : ''
    return source ? `${where}\n${note}${source}` : where
  }
  return undefined
}

const maps = new Map<string, SourceMap | undefined>()

/** The .ts position of a frame in the bundle (1-based), via the bundle's linked source map, and the text the bundle was built from. */
function original(frame: CallFrame): { file: string; line: number; column: number; built?: string } | undefined {
  if (!frame.url.startsWith('file://')) return undefined
  const bundle = fileURLToPath(frame.url.replace(/[?#].*$/, ''))
  if (!maps.has(bundle)) {
    try {
      maps.set(bundle, new SourceMap(readBundleMap(bundle) as SourceMapPayload))
    } catch {
      maps.set(bundle, undefined)
    }
  }
  const map = maps.get(bundle)
  if (!map) return { file: bundle, line: frame.location.lineNumber + 1, column: frame.location.columnNumber + 1 }
  const entry = map.findEntry(frame.location.lineNumber, frame.location.columnNumber) as {
    originalSource?: string
    originalLine?: number
    originalColumn?: number
  }
  if (!entry.originalSource || entry.originalLine === undefined) return undefined
  const source = entry.originalSource.startsWith('file://') ? fileURLToPath(entry.originalSource) : resolve(dirname(bundle), entry.originalSource)
  const { sources, sourcesContent } = map.payload as { sources?: string[]; sourcesContent?: (string | null)[] }
  const built = sourcesContent?.[sources?.indexOf(entry.originalSource) ?? -1] ?? undefined
  return { file: source, line: entry.originalLine + 1, column: (entry.originalColumn ?? 0) + 1, ...(built != null && { built }) }
}
