import { fork } from 'node:child_process'
import { createBuilder } from '../reload/builder.js'
import type { Loader } from '../config/loaders.js'
import { BenchError } from '../errors.js'
import type { BaselineMessage, BaselineQuery } from './baseline-server.js'

export interface BaselineServer {
  url: string
  /** Arrival times (Date.now()) of the requests its clients left unanswered since the last call. */
  takeAbandoned(): Promise<number[]>
  close(): Promise<void>
}

/**
 * Build `entry` with hotcell's own builder and serve it inline from a child
 * process. `env` is that process's process.env, which the server also passes
 * as a fetch handler's `env`: give it what hotcell's workers get (the .env
 * files under this process's environment), or an app that reads them fails
 * the baseline's check, or does different work there.
 */
export async function startBaseline(
  entry: string,
  label: string,
  style: 'auto' | 'fetch' | 'node' = 'auto',
  https = false,
  env: NodeJS.ProcessEnv = process.env,
  loaders?: Readonly<Record<string, Loader>>,
  // What a relative `entry` is read from.
  cwd = process.cwd(),
): Promise<BaselineServer> {
  const builder = await createBuilder(entry, cwd, loaders)
  const build = await builder.build()
  if (!build.ok) {
    await builder.dispose()
    throw new BenchError(`${label}: the build failed: ${build.text.split('\n')[0]}`)
  }
  // From the folder above: the CLI is bundled into src/cli/ (npm run build), this module with it.
  const child = fork(new URL('../bench-command/baseline-server.js', import.meta.url), [build.url, label, style, https ? 'https' : 'http'], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    env,
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
    await exited
    await builder.dispose()
  }
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.once('message', (message: BaselineMessage) =>
        message.type === 'ready' ? resolve(message.port) : message.type === 'failed' && reject(new BenchError(`baseline for ${label}: ${message.message}`)),
      )
      child.once('exit', (code) => reject(new BenchError(`the baseline server for ${label} exited (code ${code}) before it listened`)))
    })
    const takeAbandoned = () =>
      new Promise<number[]>((resolve, reject) => {
        const onMessage = (message: BaselineMessage) => {
          if (message.type !== 'abandoned') return
          child.off('message', onMessage)
          resolve(message.arrivals)
        }
        child.on('message', onMessage)
        child.send({ type: 'abandoned?' } satisfies BaselineQuery, (error) => error && reject(error))
      })
    return { url: `${https ? 'https' : 'http'}://127.0.0.1:${port}`, takeAbandoned, close }
  } catch (error) {
    await close()
    throw error
  }
}
