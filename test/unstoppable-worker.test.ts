// A worker that terminate() does not end (pool/unstoppable-worker.ts) is
// noticed, and the command ends its process instead of hanging. Node 24's
// runaway allocation loop past --max-memory is the case met in the wild;
// here a thread blocked in a system call, which terminate() cannot interrupt
// either (a synchronous child process, a FIFO read), stands in for it on any
// Node.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { closeSync, constants, existsSync, openSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { Worker } from 'node:worker_threads'
import { whenUnstoppable } from '../src/pool/unstoppable-worker.js'
import { type CliRun, personsSecondCtrlC, projectDir, request, startCli, waitFor, withDeadline } from './helpers.js'

const worker = (code: string) => new Worker(code, { eval: true })

/** A child process of this one named `comm` (Linux: /proc). */
function hasChild(comm: string): boolean {
  for (const task of readdirSync(`/proc/${process.pid}/task`)) {
    const children = readFileSync(`/proc/${process.pid}/task/${task}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)
    for (const pid of children) {
      try {
        if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === comm) return true
      } catch {
        // Exited meanwhile.
      }
    }
  }
  return false
}

test('a terminated worker that does not exit is reported; one that exits is not', { skip: process.platform !== 'linux' && 'reads /proc' }, async () => {
  const blocked = worker(`require('node:child_process').execFileSync('sleep', ['3'])`)
  const idle = worker(`require('node:worker_threads').parentPort.postMessage('up'); setInterval(() => {}, 1000)`)
  await withDeadline(new Promise((resolve) => idle.once('message', resolve)), 10_000, 'the idle worker to start')
  // Terminated before it is inside execFileSync, it would simply stop.
  await waitFor(() => hasChild('sleep'), 10_000, 'the blocked worker to be inside execFileSync')
  const reported: string[] = []
  for (const [name, w] of [
    ['blocked', blocked],
    ['idle', idle],
  ] as const) {
    void w.terminate()
    whenUnstoppable(w, () => reported.push(name), 300)
  }
  await withDeadline(new Promise((resolve) => idle.once('exit', resolve)), 10_000, 'the idle worker to exit')
  await new Promise((resolve) => setTimeout(resolve, 600))
  assert.deepEqual(reported, ['blocked'])
  await withDeadline(new Promise((resolve) => blocked.once('exit', resolve)), 10_000, 'the blocked worker to exit once its child ends')
})

// The command's side, on a real server: its worker reads a FIFO whose write
// end the test holds open, so the read waits for data until the test closes
// that end or the worker's process ends.
const TIME = String.raw`^\d{1,2}:\d{2}:\d{2}(?: [AP]M)? `

function stuckProject(): { dir: string; fifo: string; remove(): void } {
  const project = projectDir({})
  const fifo = join(project.dir, 'fifo')
  execFileSync('mkfifo', [fifo])
  project.write(
    'app.ts',
    `import { readFileSync, writeFileSync } from 'node:fs'
export default {
  async fetch(request: Request) {
    const { pathname } = new URL(request.url)
    if (pathname === '/stuck') return new Response(readFileSync(${JSON.stringify(fifo)}))
    if (pathname === '/slow') {
      writeFileSync(${JSON.stringify(join(project.dir, 'slow-began'))}, '')
      await new Promise((resolve) => setTimeout(resolve, 20_000))
    }
    return new Response('ok')
  },
}
`,
  )
  return { dir: project.dir, fifo, remove: project.remove }
}

/** Once a worker reads `fifo`, hold its write end open (none of this blocks: the open fails until the reader is there). */
function holdFifo(fifo: string): Promise<number> {
  return waitFor(() => openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK), 10_000, 'a worker to open the FIFO')
}

test('a worker stuck past --timeout: the server process ends itself and the supervisor starts a new one, both saying so with the time', {
  skip: process.platform === 'win32' && 'mkfifo',
}, async () => {
  const project = stuckProject()
  const cli = await startCli(['app.ts', '-p', '0', '-w', '1', '--quiet', '--timeout', '500ms'], { cwd: project.dir })
  let writer: number | undefined
  try {
    const stuck = request(`${cli.url}/stuck`, { timeoutMs: 30_000 })
    writer = await holdFifo(project.fifo)
    // Terminated at its timeout, abandoned 5 s later (UNSTOPPABLE_MS): its request is answered first.
    assert.equal((await stuck).status, 504)
    await waitFor(() => (cli.output().match(/ready on /g) ?? []).length === 2, 15_000, 'the new server process')
    assert.match(cli.output(), new RegExp(`${TIME}hotcell: ending the server process now\\.\\n`, 'm'))
    // It names the request its stuck worker was still running (cli/slow-requests.ts).
    assert.match(
      cli.output(),
      new RegExp(`${TIME}hotcell: the server process died \\(signal SIGKILL\\), while running GET /stuck \\(for \\d+\\.\\d s\\)\\. Restarting it;`, 'm'),
    )
    assert.equal((await request(cli.url)).text, 'ok')
    assert.equal(await cli.stop(), 0)
  } finally {
    if (cli.child.exitCode === null) cli.child.kill('SIGKILL')
    if (writer !== undefined) closeSync(writer)
    project.remove()
  }
})

/** Ctrl-C, then Ctrl-C again once the graceful shutdown has begun. */
async function twoSignals(cli: CliRun): Promise<void> {
  cli.child.kill('SIGINT')
  await waitFor(() => /shutting down/.test(cli.output()), 5000, 'the shutdown line')
  await personsSecondCtrlC()
  cli.child.kill('SIGINT')
}

for (const supervised of [false, true]) {
  test(`${supervised ? 'supervised' : 'HOTCELL_NO_SUPERVISOR=1'}: a second Ctrl-C ends the process although a worker thread cannot stop`, {
    skip: process.platform === 'win32' && 'mkfifo',
  }, async () => {
    const project = stuckProject()
    const cli = await startCli(['app.ts', '-p', '0', '-w', '1', '--quiet'], { cwd: project.dir, env: supervised ? {} : { HOTCELL_NO_SUPERVISOR: '1' } })
    let writer: number | undefined
    try {
      const stuck = request(`${cli.url}/stuck`, { timeoutMs: 30_000 }).catch((error: Error) => error)
      writer = await holdFifo(project.fifo)
      await twoSignals(cli)
      // Before exit-now.ts, process.exit() waited here for the thread: forever, unsupervised.
      const code = await withDeadline(cli.exited, 5000, 'the exit after the second SIGINT')
      // SIGKILL: as the shell reports it, through the supervisor.
      assert.deepEqual([code, cli.child.signalCode], supervised ? [137, null] : [null, 'SIGKILL'])
      assert.match(
        cli.output(),
        new RegExp(`${TIME}hotcell: a worker thread did not stop within 1 s of being terminated; ending the server process now\\.\\n`, 'm'),
      )
      assert.ok((await stuck) instanceof Error, 'the stuck request was cut')
    } finally {
      if (cli.child.exitCode === null && cli.child.signalCode === null) cli.child.kill('SIGKILL')
      if (writer !== undefined) closeSync(writer)
      project.remove()
    }
  })
}

test('HOTCELL_NO_SUPERVISOR=1: a second Ctrl-C with workers that stop exits 130 and says nothing more', {
  skip: process.platform === 'win32' && 'mkfifo',
}, async () => {
  const project = stuckProject()
  const cli = await startCli(['app.ts', '-p', '0', '-w', '1'], { cwd: project.dir, env: { HOTCELL_NO_SUPERVISOR: '1' } })
  try {
    const slow = request(`${cli.url}/slow`, { timeoutMs: 30_000 }).catch((error: Error) => error)
    await waitFor(() => existsSync(join(project.dir, 'slow-began')), 10_000, 'the slow request to reach its worker')
    await twoSignals(cli)
    assert.equal(await withDeadline(cli.exited, 5000, 'the exit after the second SIGINT'), 130)
    assert.ok((await slow) instanceof Error, 'the slow request was cut, not answered')
    assert.match(cli.output(), /hotcell: shutting down \([^\n]*\)\n$/)
  } finally {
    if (cli.child.exitCode === null) cli.child.kill('SIGKILL')
    project.remove()
  }
})
