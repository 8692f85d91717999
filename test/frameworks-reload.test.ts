// Each framework example survives a reload (issue 5): edit the source, the
// next response comes from the new code, and a captured listen() is captured
// again by the new generation's workers. Needs DevServer.reload() (the hot
// reload feature); until that is merged these tests report themselves skipped.
import assert from 'node:assert/strict'
import { cpSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { serve, type HotcellServer } from '../src/index.js'
import { ROOT, projectDir, request, waitFor } from './helpers.js'

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
    test(`${name}/${entry}: an edit is served by the next generation`, async (t) => {
      const project = projectDir({})
      cpSync(join(ROOT, 'examples', name), project.dir, { recursive: true })
      let server: HotcellServer | undefined
      try {
        server = await serve({ entry: join(project.dir, entry), port: 0, workers: 1, quiet: true })
        const reload = (server as HotcellServer & { reload?: () => Promise<unknown> }).reload
        if (typeof reload !== 'function') return t.skip('needs server.reload() from the hot-reload feature')
        assert.match((await request(`${server.url}/`)).text, new RegExp(greeting))
        const file = join(project.dir, edited)
        writeFileSync(file, readFileSync(file, 'utf8').replace(greeting, `${greeting}, edited`))
        await reload.call(server)
        const url = server.url
        await waitFor(async () => (await request(`${url}/`)).text.includes(`${greeting}, edited`), 15_000, 'the edited response')
      } finally {
        await server?.close()
        project.remove()
      }
    })
  }
})
