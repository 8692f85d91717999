// Start a server variant as a child process and wait for its URL.
import { fork, spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export interface ChildServer {
  url: string
  pid: number
  close(): Promise<void>
}

export async function startChild(file: URL, args: string[], execArgv: string[] = [], cwd?: string, env?: NodeJS.ProcessEnv): Promise<ChildServer> {
  const child = fork(file, args, {
    execArgv,
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    ...(cwd ? { cwd } : {}),
    ...(env ? { env: { ...process.env, ...env } } : {}),
  })
  const close = closer(child)
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${file.pathname} did not start within 60 s`)), 60_000)
      child.once('message', (m: { type: string; url?: string; message?: string }) => {
        clearTimeout(timer)
        if (m.type === 'ready' && m.url) resolve(m.url)
        else reject(new Error(m.message ?? 'failed to start'))
      })
      child.once('exit', (code) => reject(new Error(`${file.pathname} exited (code ${code}) before it listened`)))
    })
    return { url, pid: child.pid!, close }
  } catch (error) {
    await close()
    throw error
  }
}

/**
 * The `hotcell` command as a user runs it (request log on, watching), its
 * output read and dropped the way a terminal takes it: in a pipe, drained.
 * Without the supervisor, so that `pid` is the process that serves; the
 * supervisor is not on the request path.
 */
export async function startCommand(bin: URL, args: string[], cwd?: string): Promise<ChildServer> {
  const child = spawn(process.execPath, [fileURLToPath(bin), ...args, '--port', '0', '--host', '127.0.0.1'], {
    ...(cwd ? { cwd } : {}),
    env: { ...process.env, HOTCELL_NO_SUPERVISOR: '1', NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const close = closer(child)
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`hotcell ${args.join(' ')} did not start within 60 s`)), 60_000)
      let head = ''
      const onData = (chunk: Buffer) => {
        head += chunk.toString()
        const ready = /ready on (http:\/\/\S+)/.exec(head)
        if (!ready) return
        clearTimeout(timer)
        child.stdout.off('data', onData)
        child.stdout.resume() // the request log, read and dropped from now on
        resolve(ready[1]!)
      }
      child.stdout.on('data', onData)
      child.once('exit', (code) => reject(new Error(`hotcell ${args.join(' ')} exited (code ${code}) before it listened:\n${head}`)))
    })
    return { url, pid: child.pid!, close }
  } catch (error) {
    await close()
    throw error
  }
}

/** Stops `child`: SIGTERM, then SIGKILL if it is still there 15 s later. */
function closer(child: ChildProcess): () => Promise<void> {
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  return async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000)
    await exited
    clearTimeout(timer)
  }
}
