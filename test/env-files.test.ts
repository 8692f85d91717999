// .env files: variables for the handler (env and process.env in the workers),
// never for the main process; an edit swaps to a new generation.
import assert from 'node:assert/strict'
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { HotcellError, serve, type HotcellServer, type ReloadInfo } from '../src/index.js'
import { cleanup, freePort, projectDir, request, runCli, startCli, waitFor, withDeadline } from './helpers.js'

const APP = `export default {
  fetch: (_req: Request, env: Record<string, string | undefined>) =>
    Response.json({ env: env.HC_A ?? null, process: process.env.HC_A ?? null, b: env.HC_B ?? null, shell: env.HC_SHELL ?? null }),
}
`

function nextReload(server: HotcellServer): Promise<ReloadInfo> {
  return withDeadline(new Promise<ReloadInfo>((resolve) => server.once('reload', resolve)), 20_000, 'a reload')
}

const read = async (server: HotcellServer) => JSON.parse((await request(server.url)).text) as Record<string, string | null>

describe('.env files', () => {
  test('.env in the working directory reaches env and process.env in the workers, not the main process', async () => {
    const project = projectDir({ 'app.ts': APP, '.env': '# comment\nHC_A="from dotenv"\nHC_B=two # trailing\n' })
    cleanup(project.remove)
    const server = await serve({ entry: 'app.ts', cwd: project.dir, port: 0, workers: 1, quiet: true })
    cleanup(() => server.close())
    assert.deepEqual(await read(server), { env: 'from dotenv', process: 'from dotenv', b: 'two', shell: null })
    assert.equal(process.env.HC_A, undefined)
    assert.equal(server.info.envVars, 2)
  })

  test('editing .env swaps to a new generation with the new values, though the bundle is unchanged', async () => {
    const project = projectDir({ 'app.ts': APP, '.env': 'HC_A=one\n' })
    cleanup(project.remove)
    const server = await serve({ entry: 'app.ts', cwd: project.dir, port: 0, workers: 1, quiet: true })
    cleanup(() => server.close())
    assert.equal((await read(server)).env, 'one')
    const before = server.info
    let reloaded = nextReload(server)
    project.write('.env', 'HC_A=two\n')
    let info = await reloaded
    assert.equal(info.ok, true)
    assert.deepEqual(info.changed, ['.env'])
    assert.deepEqual(await read(server), { env: 'two', process: 'two', b: null, shell: null })
    assert.equal(before.workers, server.info.workers)
    // Deleting it takes the variables away again.
    reloaded = nextReload(server)
    rmSync(join(project.dir, '.env'))
    info = await reloaded
    assert.equal(info.ok, true)
    assert.deepEqual(await read(server), { env: null, process: null, b: null, shell: null })
    // And a .env created while running is picked up. Creating it can be seen
    // before its content is written (an empty file, one reload), then as a change.
    project.write('.env', 'HC_B=new\n')
    await waitFor(async () => (await read(server)).b === 'new', 20_000, 'the new .env to be served')
  })

  test('generation numbers go up by one per swap, though each .env edit drops the standby booted with the old values', async () => {
    const project = projectDir({ 'app.ts': APP, '.env': 'HC_A=0\n' })
    cleanup(project.remove)
    const server = await serve({ entry: 'app.ts', cwd: project.dir, port: 0, workers: 1, quiet: true })
    cleanup(() => server.close())
    const gens: (number | undefined)[] = []
    for (let i = 1; i <= 3; i++) {
      const reloaded = nextReload(server)
      project.write('.env', `HC_A=${i}\n`)
      const info = await reloaded
      assert.equal(info.ok, true)
      gens.push(info.gen)
      await waitFor(async () => (await read(server)).env === String(i), 20_000, `HC_A=${i} to be served`)
    }
    assert.deepEqual(gens, [2, 3, 4])
  })

  test('.env.local is read too when present, over .env, and an edit to it reloads (as Vite and Next read them)', async () => {
    const project = projectDir({ 'app.ts': APP, '.env': 'HC_A=base\nHC_B=base\n', '.env.local': 'HC_B=local\n' })
    cleanup(project.remove)
    const server = await serve({ entry: 'app.ts', cwd: project.dir, port: 0, workers: 1, quiet: true })
    cleanup(() => server.close())
    assert.deepEqual(await read(server), { env: 'base', process: 'base', b: 'local', shell: null })
    assert.equal(server.info.envVars, 2)
    const reloaded = nextReload(server)
    project.write('.env.local', 'HC_B=edited\n')
    const info = await reloaded
    assert.deepEqual(info.changed, ['.env.local'])
    assert.equal((await read(server)).b, 'edited')
    // Without .env, .env.local alone is read.
    const second = nextReload(server)
    rmSync(join(project.dir, '.env'))
    await second
    assert.deepEqual(await read(server), { env: null, process: null, b: 'edited', shell: null })
  })

  test('--env-file is repeatable (later files win) and the shell environment wins over files', async () => {
    const project = projectDir({ 'app.ts': APP, 'base.env': 'HC_A=base\nHC_B=base\nHC_SHELL=file\n', 'local.env': 'HC_B=local\n' })
    cleanup(project.remove)
    process.env.HC_SHELL = 'shell'
    try {
      const server = await serve({ entry: 'app.ts', cwd: project.dir, port: 0, workers: 1, quiet: true, envFile: ['base.env', 'local.env'] })
      cleanup(() => server.close())
      assert.deepEqual(await read(server), { env: 'base', process: 'base', b: 'local', shell: 'shell' })
      assert.deepEqual(server.info.envShadowed, ['HC_SHELL'])
    } finally {
      delete process.env.HC_SHELL
    }
  })

  test('the banner names the variables of the env files that the environment sets too (its values win)', async () => {
    const project = projectDir({ 'app.ts': APP, '.env': 'HC_A=file\nHC_SHELL=file\n' })
    cleanup(project.remove)
    const cli = await startCli(['app.ts', '--port', '0'], { cwd: project.dir, env: { HC_SHELL: 'shell' } })
    cleanup(() => cli.child.kill('SIGKILL'))
    assert.match(
      cli.output(),
      /env {5}2 variables from env files, for the handler only; HC_SHELL is set in the environment too, whose value the handler gets\n/,
    )
    assert.deepEqual(JSON.parse((await request(cli.url)).text), { env: 'file', process: 'file', b: null, shell: 'shell' })
    assert.equal(await cli.stop(), 0)
  })

  test('a missing --env-file is a one-line error naming the flag', async () => {
    const project = projectDir({ 'app.ts': APP })
    cleanup(project.remove)
    await assert.rejects(serve({ entry: 'app.ts', cwd: project.dir, port: 0, workers: 1, quiet: true, envFile: 'nope.env' }), (error: unknown) => {
      assert.ok(error instanceof HotcellError)
      assert.match(error.message, /^envFile not found: nope\.env/)
      return true
    })
    // Node 20 itself scans the arguments after the script for --env-file and
    // exits 9 with "node: nope.env: not found" before hotcell runs
    // (nodejs/node#54232); later Node versions leave it to hotcell's message.
    const cli = await runCli(['app.ts', '--port', '0', '--env-file', 'nope.env'], { cwd: project.dir })
    assert.notEqual(cli.code, 0)
    assert.match(cli.stderr, /nope\.env:? not found/)
    assert.equal(cli.stderr.split('\n').filter(Boolean).length, 1, cli.stderr)
  })

  test("PORT in .env is the handler's, not hotcell's: the banner says so once when they differ", async () => {
    const project = projectDir({
      'app.ts': "export default { fetch: (_r: Request, env: { PORT?: string }) => new Response('PORT=' + env.PORT) }\n",
      '.env': 'PORT=1\n',
    })
    cleanup(project.remove)
    const cli = await startCli(['app.ts', '--port', '0', '--workers', '1'], { cwd: project.dir, env: { PORT: undefined } })
    cleanup(() => cli.stop())
    const port = new URL(cli.url).port
    await waitFor(() => cli.output().includes('from env files'), 10_000, `the banner\n${cli.output()}`)
    assert.match(
      cli.output(),
      new RegExp(`PORT=1 in \\.env is for the handler only; hotcell listens on ${port} \\(--port 1, or port in hotcell\\.config\\.ts, to change that\\)`),
    )
    assert.equal((await request(cli.url)).text, 'PORT=1')
    // The same port: nothing to say.
    const same = await freePort()
    project.write('.env', `PORT=${same}\n`)
    const again = await startCli(['app.ts', '--port', String(same), '--workers', '1'], { cwd: project.dir, env: { PORT: undefined } })
    cleanup(() => again.stop())
    await waitFor(() => again.output().includes('from env files'), 10_000, `the banner\n${again.output()}`)
    assert.doesNotMatch(again.output(), /is for the handler only/)
  })
})
