// The supervisor under the `hotcell` command (cli/supervisor.ts): the server
// process's memory settings, and a V8 fatal error in a worker, which aborts
// the whole server process, survived on the same socket.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { cleanup, fixture, projectDir, request, startCli, waitFor } from './helpers.js'

/** Whether process `pid` runs: a zombie (killed, not yet reaped by a container's init) does not. */
function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))
  } catch {
    return false
  }
}

describe('supervisor', () => {
  // The server's memory settings (supervisor.ts): two malloc arenas, unless the
  // user chose their own; and no V8 flags of hotcell's: a young-generation cap
  // made every start slower, and so did --expose-gc (+38 ms a process and a
  // worker: settle-heap.ts). The main thread's heap is collected when idle instead.
  const memoryApp = {
    'app.ts': 'export default { fetch: () => Response.json({ arenas: process.env.MALLOC_ARENA_MAX, execArgv: process.execArgv }) }\n',
  }
  /** What the app sees of its process, served by the command with `MALLOC_ARENA_MAX` set to `arenas` ('' for unset). */
  async function seenWith(arenas: string): Promise<{ arenas: string; execArgv: string[] }> {
    const project = projectDir(memoryApp)
    const cli = await startCli(['app.ts', '--port', '0', '--workers', '1'], { cwd: project.dir, env: { MALLOC_ARENA_MAX: arenas, NODE_OPTIONS: '' } })
    try {
      return JSON.parse((await request(cli.url)).text) as { arenas: string; execArgv: string[] }
    } finally {
      await cli.stop()
      project.remove()
    }
  }
  test('the server process runs with two malloc arenas and no V8 flags of its own', async () => {
    assert.deepEqual(await seenWith(''), { arenas: '2', execArgv: [] })
  })
  test("the user's own MALLOC_ARENA_MAX wins", async () => {
    assert.deepEqual(await seenWith('4'), { arenas: '4', execArgv: [] })
  })
  test('Ctrl-C ends the processes the app started, as the terminal would have', { skip: process.platform !== 'linux' && 'reads /proc' }, async () => {
    // The server runs in a process group of its own, which the terminal's Ctrl-C does not reach.
    const project = projectDir({
      'app.ts':
        "import { spawn } from 'node:child_process'\nimport { writeFileSync } from 'node:fs'\n" +
        "const helper = spawn('sleep', ['1000'], { stdio: 'ignore' })\nwriteFileSync('helper.pid', String(helper.pid))\n" +
        "export default { fetch: () => new Response('ok') }\n",
    })
    cleanup(project.remove)
    const cli = await startCli(['app.ts', '--port', '0', '--workers', '1'], { cwd: project.dir })
    cleanup(() => cli.child.kill('SIGKILL'))
    const pid = Number(readFileSync(join(project.dir, 'helper.pid'), 'utf8'))
    cleanup(() => running(pid) && process.kill(pid, 'SIGKILL'))
    assert.equal(running(pid), true, 'the app started its helper')
    // The output says why if not (one CI run read 130, not reproduced in 18 runs since).
    const code = await cli.stop('SIGINT')
    assert.equal(code, 0, cli.output())
    await waitFor(() => !running(pid), 5000, 'the helper process to end')
  })

  test('a V8 fatal error aborts the server process: the port stays open, connections made meanwhile are served', async () => {
    const cli = await startCli([fixture('faults.ts'), '--port', '0', '--workers', '1', '--max-memory', '128'])
    try {
      assert.equal((await request(`${cli.url}/ok`)).status, 200)
      // One huge array under a 128 MiB heap: V8 aborts the whole process (nodejs/node#47224).
      // After 0.4 s: the supervisor has heard of the request by then (cli/slow-requests.ts).
      const aborted = await request(`${cli.url}/v8-abort?after=400`, { timeoutMs: 60_000 }).then(
        (res) => assert.fail(`expected the connection to die, got ${res.status}`),
        (error: NodeJS.ErrnoException) => error,
      )
      assert.match(String(aborted.code ?? aborted.message), /ECONNRESET|socket hang up/)
      // Sent while the new server process boots: they wait in the queue, none is refused.
      const during = await Promise.all(Array.from({ length: 5 }, () => request(`${cli.url}/ok`, { timeoutMs: 30_000 }))).catch((error: Error) => {
        throw new Error(`${error.message}\n--- hotcell output ---\n${cli.output().replace(/^(\s|goroutine|main\.|created|\[|\d+:).*\n/gm, '')}`)
      })
      assert.deepEqual(
        during.map((r) => r.status),
        [200, 200, 200, 200, 200],
      )
      assert.match(cli.output(), /FATAL ERROR/)
      // The supervisor's line leads with the time, as the server's lines do.
      assert.match(cli.output(), /^\d{1,2}:\d{2}:\d{2}(?: [AP]M)? hotcell: the server process died \(signal SIGABRT\)[^\n]*Restarting it/m)
      // It names the request the process died in, with how long it had run.
      assert.match(cli.output(), /\(see V8's fatal error above\), while running GET \/v8-abort\?after=400 \(for \d+\.\d s\)\. Restarting it/)
      // Requests can be served a moment before the new process prints its ready line.
      await waitFor(() => (cli.output().match(/ready on /g) ?? []).length === 2, 10_000, 'the second ready line')
      assert.equal(await cli.stop(), 0)
    } finally {
      if (cli.child.exitCode === null) cli.child.kill('SIGKILL')
    }
  })

  test('a crash in native code (SIGSEGV) is said to be one, not a V8 fatal error, with the request when it is known', async () => {
    // A segfault as a native addon's bad pointer ends the process, without a compiler: the signal, sent to the process.
    const project = projectDir({
      'app.ts':
        'export default { async fetch(request: Request) {\n' +
        "  const after = Number(new URL(request.url).searchParams.get('after'))\n" +
        '  await new Promise((resolve) => setTimeout(resolve, after))\n' +
        "  process.kill(process.pid, 'SIGSEGV')\n" +
        "  return new Response('not reached')\n} }\n",
    })
    cleanup(project.remove)
    const cli = await startCli(['app.ts', '--port', '0', '--workers', '1'], { cwd: project.dir })
    cleanup(() => (cli.child.exitCode === null ? cli.child.kill('SIGKILL') : undefined))
    const died = (path: string) =>
      request(`${cli.url}${path}`, { timeoutMs: 30_000 }).then(
        (res) => assert.fail(`expected the connection to die, got ${res.status}`),
        () => {},
      )
    // At once: the supervisor has not heard of the request (only those that ran 0.1 s are told), and says so.
    await died('/segv?after=0')
    await waitFor(() => /the server process crashed/.test(cli.output()), 10_000, cli.output())
    assert.match(
      cli.output(),
      /hotcell: the server process crashed in native code \(signal SIGSEGV: most likely a native addon; nothing is printed for it\); which request it ran is not known \(only those that run 0\.1 s or more are named\)\. Restarting it/,
    )
    assert.doesNotMatch(cli.output(), /V8 fatal error|FATAL ERROR/)
    await waitFor(() => (cli.output().match(/ready on /g) ?? []).length === 2, 15_000, 'the second ready line')
    // After 0.4 s it is named.
    await died('/segv?after=400')
    await waitFor(() => /while running GET \/segv\?after=400/.test(cli.output()), 10_000, cli.output())
    assert.match(cli.output(), /crashed in native code \(signal SIGSEGV[^\n]*\), while running GET \/segv\?after=400 \(for \d+\.\d s\)\. Restarting it/)
    await waitFor(() => (cli.output().match(/ready on /g) ?? []).length === 3, 15_000, 'the third ready line')
    assert.equal(await cli.stop(), 0)
  })
})
