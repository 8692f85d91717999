// Each framework example survives a reload: edit the source, the next
// response comes from the new code, and a captured listen() is captured again
// by the new generation's workers.
import assert from 'node:assert/strict'
import { cpSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { serve } from '../src/index.js'
import { cleanup, projectDir, ROOT, request, waitFor } from './helpers.js'

const CASES = [
  ['hono', 'app.ts', 'app.ts', 'hello from hono'],
  ['hono', 'server.ts', 'app.ts', 'hello from hono'],
  ['h3', 'app.ts', 'app.ts', 'hello from h3'],
  ['itty-router', 'app.ts', 'app.ts', 'hello from itty-router'],
  ['express', 'app.ts', 'app.ts', 'hello from express'],
  ['express', 'server.ts', 'app.ts', 'hello from express'],
  ['koa', 'server.ts', 'server.ts', 'hello from koa'],
  ['fastify', 'server.ts', 'server.ts', 'hello from fastify'],
  ['node-http', 'server.ts', 'server.ts', 'hello from node:http'],
] as const

describe('framework examples across a reload', () => {
  for (const [name, entry, edited, greeting] of CASES) {
    test(`${name}/${entry}: an edit is served by the next generation`, async () => {
      const project = projectDir({})
      cleanup(project.remove)
      cpSync(join(ROOT, 'examples', name), project.dir, { recursive: true })
      const server = await serve({ entry: join(project.dir, entry), port: 0, workers: 1, quiet: true })
      cleanup(() => server.close())
      assert.match((await request(`${server.url}/`)).text, new RegExp(greeting))
      const file = join(project.dir, edited)
      const source = readFileSync(file, 'utf8')
      assert.ok(source.includes(greeting), `${name}/${edited} says "${greeting}"`)
      writeFileSync(file, source.replace(greeting, `${greeting}, edited`))
      const info = await server.reload()
      assert.equal(info.ok, true)
      await waitFor(async () => (await request(`${server.url}/`)).text.includes(`${greeting}, edited`), 15_000, 'the edited response')
    })
  }
})
