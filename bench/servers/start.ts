// Start a server variant as a child process and wait for its URL.
import { fork } from 'node:child_process'

export interface ChildServer {
  url: string
  pid: number
  close(): Promise<void>
}

export async function startChild(file: URL, args: string[], execArgv: string[] = []): Promise<ChildServer> {
  const child = fork(file, args, { execArgv, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000)
    await exited
    clearTimeout(timer)
  }
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
