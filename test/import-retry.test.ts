// An import that failed only because the older generation still ran (a
// SQLite file it was writing, finding 7 of trial s24) is imported once more
// once that generation has ended; a failure of the code itself is imported
// once more, and then left alone.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { serve } from '../src/index.js'
import { cleanup, projectDir, request, waitFor } from './helpers.js'
import { nextReload } from './reload-helpers.js'

/** Each import appends its version to `imports`; one that finds `lock` (taken by a generation that imported, given back at its SIGTERM) throws. */
const app = (dir: string, v: number, always = false) => `import { appendFileSync, existsSync, rmSync, writeFileSync } from 'node:fs'
const V = ${v}
appendFileSync(${JSON.stringify(join(dir, 'imports'))}, V + '\\n')
${always ? "throw new Error('broken for good')" : `if (existsSync(${JSON.stringify(join(dir, 'lock'))})) throw new Error('database is locked')`}
writeFileSync(${JSON.stringify(join(dir, 'lock'))}, String(V))
process.on('SIGTERM', () => rmSync(${JSON.stringify(join(dir, 'lock'))}, { force: true }))
export default { fetch: () => new Response('v' + V) }
`

async function start() {
  const project = projectDir({})
  // The lock and the count live outside the watched folder: a write there would be a save.
  const state = projectDir({}, { outside: true })
  cleanup(project.remove, state.remove)
  const write = (v: number, always = false) => project.write('app.ts', app(state.dir, v, always))
  write(1)
  const lines: string[] = []
  const server = await serve({ entry: join(project.dir, 'app.ts'), port: 0, workers: 1, log: ({ text }) => lines.push(text) })
  cleanup(() => server.close())
  const imports = () => readFileSync(join(state.dir, 'imports'), 'utf8').trim().split('\n')
  return { write, server, lines, imports }
}

test('an import that failed beside the older generation is imported again once it has ended, and serves', async () => {
  const { write, server, lines, imports } = await start()
  assert.equal((await request(server.url)).text, 'v1')
  const failed = nextReload(server)
  write(2)
  const first = await failed
  assert.equal(first.ok, false)
  assert.equal(first.error?.stage, 'import')
  const retried = await nextReload(server)
  assert.deepEqual(retried.changed, ['import retry'])
  assert.equal(retried.ok, true, JSON.stringify(retried.error))
  assert.equal((await request(server.url)).text, 'v2')
  assert.deepEqual(imports(), ['1', '2', '2'])
  const said = lines.filter((line) => /retried now that it has ended/.test(line))
  assert.equal(said.length, 1, lines.join('\n'))
  assert.match(said[0]!, /generation \d+ serving/)
})

test('an import that fails again is retried once: the error page stays, and nothing is printed twice', async () => {
  const { write, server, lines, imports } = await start()
  const failed = nextReload(server)
  write(2, true)
  assert.equal((await failed).ok, false)
  const retried = await nextReload(server)
  assert.deepEqual(retried.changed, ['import retry'])
  assert.equal(retried.ok, false)
  assert.equal(retried.sameError, true)
  // No third import: give a second retry the time it would take, then look.
  await waitFor(() => imports().length >= 3, 10_000, 'the retry')
  await new Promise((resolve) => setTimeout(resolve, 500))
  assert.deepEqual(imports(), ['1', '2', '2'])
  assert.equal((await request(server.url)).status, 500)
  assert.equal(lines.filter((line) => /broken for good/.test(line)).length, 1, lines.join('\n'))
  assert.equal(lines.filter((line) => /retried/.test(line)).length, 0, lines.join('\n'))
})
