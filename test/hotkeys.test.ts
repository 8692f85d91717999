// Hotkeys: the keypress handler on its own, then the real binary in a
// pseudo-terminal (util-linux `script`), keys typed into it.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { describe, test } from 'node:test'
import { createKeyHandler, HOTKEY_HELP, type HotkeyActions } from '../src/cli/hotkeys.js'
import { BIN, cleanup, projectDir, request, requires, waitFor, withDeadline } from './helpers.js'

function recorder() {
  const calls: string[] = []
  const actions: HotkeyActions = {
    reload: () => calls.push('reload'),
    open: () => calls.push('open'),
    clear: () => calls.push('clear'),
    quit: () => calls.push('quit'),
    forceQuit: () => calls.push('forceQuit'),
    help: (text) => calls.push(`help:${text.length}`),
  }
  return { calls, onKey: createKeyHandler(actions) }
}

/** The `hotcell` command in a pseudo-terminal (util-linux `script`), once its banner shows the keys. */
async function startInTerminal(cwd: string) {
  const command = `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} app.ts --port 0 --workers 1`
  const child = spawn('script', ['-qefc', command, '/dev/null'], {
    cwd,
    env: { ...process.env, NO_COLOR: '1', TERM: 'dumb' },
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  let text = ''
  child.stdout.on('data', (c: Buffer) => (text += c.toString()))
  child.stderr.on('data', (c: Buffer) => (text += c.toString()))
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
  cleanup(() => {
    if (child.exitCode === null) child.kill('SIGKILL')
  })
  const output = () => text
  const url = await waitFor(() => /ready on (http:\/\/\S+)/.exec(text)?.[1], 20_000, 'the ready line')
  await waitFor(() => text.includes('r reload · o open in browser'), 10_000, 'the hotkeys line of the banner')
  return { child, output, exited, url }
}

describe('hotkeys', () => {
  test('each key runs its action; other keys and Alt combinations do nothing', () => {
    const { calls, onKey } = recorder()
    for (const name of ['r', 'o', 'c', 'h', 'x', 'return']) onKey(name, { name })
    onKey('r', { name: 'r', meta: true })
    onKey(undefined, undefined)
    assert.deepEqual(calls, ['reload', 'open', 'clear', `help:${HOTKEY_HELP.length}`])
  })

  test('q, Ctrl-C and Ctrl-D quit; a second one forces', () => {
    for (const first of [{ name: 'q' }, { name: 'c', ctrl: true }, { name: 'd', ctrl: true }]) {
      const { calls, onKey } = recorder()
      onKey(undefined, first)
      assert.deepEqual(calls, ['quit'])
      onKey(undefined, { name: 'c', ctrl: true })
      assert.deepEqual(calls, ['quit', 'forceQuit'])
    }
  })

  test('in a terminal: h prints the keys, r reloads, q shuts down cleanly', { skip: requires('/usr/bin/script', 'apt-get install util-linux') }, async () => {
    const project = projectDir({ 'app.ts': `export default { fetch: () => new Response('hi') }\n` })
    cleanup(project.remove)
    const { child, output, exited, url } = await startInTerminal(project.dir)
    assert.equal((await request(url)).text, 'hi')

    child.stdin.write('h')
    await waitFor(() => output().includes('rebuild and reload now'), 10_000, 'the help text')
    child.stdin.write('r')
    await waitFor(() => /reload requested(?: · waited [^·]+)? · build/.test(output()), 20_000, 'the reload line')
    // Nothing changed: the time is counted from the request.
    assert.match(output(), /reload requested(?: · waited [^·]+)? · build .* serving [\d.]+ ms after the request/)
    child.stdin.write('q')
    await waitFor(() => output().includes('shutting down'), 10_000, 'the shutdown line')
    assert.equal(await withDeadline(exited, 15_000, 'exit after q'), 0)
  })

  test('in a terminal: a second Ctrl-C while requests are drained quits at once, with 130', {
    skip: requires('/usr/bin/script', 'apt-get install util-linux'),
  }, async () => {
    const project = projectDir({
      'app.ts': `export default { fetch: (request: Request) => new URL(request.url).pathname === '/hang' ? new Promise<Response>(() => {}) : new Response('hi') }\n`,
    })
    cleanup(project.remove)
    const { child, output, exited, url } = await startInTerminal(project.dir)
    // A request that never ends: the first Ctrl-C waits for it (up to 5 s, then exit 0).
    const hanging = request(`${url}/hang`, { timeoutMs: 30_000 }).catch(() => undefined)
    await waitFor(async () => (await request(url)).text === 'hi', 10_000, 'the server answering beside the hanging request')
    child.stdin.write('\x03')
    await waitFor(() => output().includes('shutting down'), 10_000, 'the shutdown line')
    // The terminal is back in cooked mode: this one reaches the processes as SIGINT.
    child.stdin.write('\x03')
    assert.equal(await withDeadline(exited, 15_000, 'exit after the second Ctrl-C'), 130, output())
    await hanging
  })
})
