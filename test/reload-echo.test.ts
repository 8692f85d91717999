// A reload must not cause the next one. `hotcell app.ts --watch . | tee
// dev.log` (or `> out.txt`) wrote each reload line into a watched file, whose
// change reloaded again: 15–47 reloads in 6 s with no edit. Logs are never
// watched, the file this process's output goes to never reloads, and any
// other file that changes right after each reload, alone, is let go after a
// few, with one line saying so (reload-loop.ts).
import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { closeSync, openSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { BIN, cleanup, projectDir, waitFor, withDeadline } from './helpers.js'

const APP = (text: string) => `export default { fetch: () => new Response(${JSON.stringify(text)}) }\n`
const HOTCELL = `"${process.execPath}" "${BIN}" src/app.ts --port 0 --workers 1 --watch .`
const ENV = { ...process.env, NO_COLOR: '1' }

/** hotcell with `--watch .` started by `start`, its output read back with `read`; `edit` saves the entry and waits for its reload line. */
async function watching(start: (dir: string) => ChildProcess, read: (dir: string) => string) {
  const project = projectDir({ 'package.json': '{ "type": "module" }\n', 'src/app.ts': APP('v1') })
  cleanup(project.remove)
  const child = start(project.dir)
  const exited = new Promise((resolve) => child.once('exit', resolve))
  cleanup(async () => {
    // Its process group: hotcell, and tee when piped.
    if (child.exitCode === null) process.kill(-child.pid!, 'SIGINT')
    await withDeadline(exited, 10_000, 'hotcell exit')
  })
  const output = () => read(project.dir)
  await waitFor(() => output().includes('ready on'), 20_000, 'the ready line')
  const reloads = () => output().match(/↻ .*$/gm) ?? []
  const ofEntry = () => reloads().filter((line) => line.includes('src/app.ts changed'))
  return {
    output,
    reloads,
    async edit(text: string) {
      const before = ofEntry().length
      project.write('src/app.ts', APP(text))
      await waitFor(() => ofEntry().length > before, 20_000, `the reload of ${text}`)
    },
  }
}

/** A shell pipeline, in a process group of its own; its output gathered from stdout. */
function piped(tail: string) {
  let text = ''
  const start = (dir: string) => {
    const child = spawn('sh', ['-c', `${HOTCELL} 2>&1 | ${tail}`], { cwd: dir, env: ENV, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
    child.stdout!.on('data', (chunk: Buffer) => (text += chunk.toString()))
    child.stderr!.on('data', (chunk: Buffer) => (text += chunk.toString()))
    return child
  }
  return { start, read: () => text }
}

describe('a reload does not cause the next one', () => {
  test('--watch . | tee dev.log: a log is never watched, so nothing reloads but the edits', async () => {
    const pipe = piped('tee dev.log')
    const run = await watching(pipe.start, pipe.read)
    await run.edit('v2')
    await run.edit('v3')
    assert.deepEqual(
      run.reloads().map((line) => line.replace(/ ·.*/, '')),
      ['↻ src/app.ts changed', '↻ src/app.ts changed'],
      run.output(),
    )
  })

  test('--watch . > out.txt: the file this process writes its output to never reloads, whatever its name', async () => {
    let file = ''
    const start = (dir: string) => {
      file = join(dir, 'out.txt')
      const fd = openSync(file, 'a')
      const child = spawn(process.execPath, [BIN, 'src/app.ts', '--port', '0', '--workers', '1', '--watch', '.'], {
        cwd: dir,
        env: ENV,
        detached: true,
        stdio: ['ignore', fd, fd],
      })
      closeSync(fd)
      return child
    }
    const run = await watching(start, () => readFileSync(file, 'utf8'))
    await run.edit('v2')
    await run.edit('v3')
    assert.deepEqual(
      run.reloads().map((line) => line.replace(/ ·.*/, '')),
      ['↻ src/app.ts changed', '↻ src/app.ts changed'],
      run.output(),
    )
    assert.doesNotMatch(run.output(), /stopped reloading/)
  })

  test('--watch . | tee dev.txt: a file changed right after each reload, alone, stops reloading after a few, with one line that says how to ignore it', async () => {
    const pipe = piped('tee dev.txt')
    const run = await watching(pipe.start, pipe.read)
    await waitFor(() => /stopped reloading for dev\.txt/.test(run.output()), 20_000, 'the line that stops the loop')
    const [line] = run.output().match(/hotcell: stopped reloading for dev\.txt.*$/m)!
    assert.match(line, /--ignore dev\.txt/)
    assert.match(line, /right after each of the last \d reloads/)
    const echoes = run.reloads().filter((reload) => reload.includes('dev.txt changed')).length
    assert.ok(echoes >= 3 && echoes <= 4, `3 reloads in a row, and the start's echo: ${echoes}\n${run.output()}`)
    // From now on only edits reload, each once: their lines no longer echo.
    const before = run.reloads().length
    await run.edit('v2')
    await run.edit('v3')
    assert.deepEqual(
      run
        .reloads()
        .slice(before)
        .map((reload) => reload.replace(/ ·.*/, '')),
      ['↻ src/app.ts changed', '↻ src/app.ts changed'],
      run.output(),
    )
    assert.equal(run.output().match(/stopped reloading/g)?.length, 1)
  })
})
