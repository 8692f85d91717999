// A framework app without an error handler of its own: a thrown error reaches
// hotcell's page and terminal exactly as a fetch handler's would (mapped to
// the .ts line, no frames of hotcell's own). With the app's own handler, the
// app's answer is sent. Errors with a 4xx status stay the framework's.
import assert from 'node:assert/strict'
import { get as httpGet } from 'node:http'
import { after, before, describe, test } from 'node:test'
import { serve, type HotcellServer } from '../src/index.js'
import { projectDir, request, startCli, waitFor, type CliRun } from './helpers.js'

// Each entry throws `boom from <name>` on the line marked THROW.
const ENTRIES: Record<string, string> = {
  'hono.ts': `import { Hono } from 'hono'
const app = new Hono()
app.get('/boom', () => {
  throw new Error('boom from hono') // THROW
})
export default app
`,
  'hono-serve.ts': `import { serve } from '@hono/node-server'
import { Hono } from 'hono'
const app = new Hono()
app.get('/boom', async () => {
  await Promise.resolve()
  throw new Error('boom from hono-serve') // THROW
})
serve({ fetch: app.fetch, port: 3000 })
`,
  'express.ts': `import express from 'express'
const app = express()
app.use(express.json())
app.get('/boom', () => {
  throw new Error('boom from express') // THROW
})
app.post('/json', (req, res) => { res.json(req.body) })
app.get('/after-write', (_req, res) => {
  res.write('partial ')
  throw new Error('thrown after the head by express') // AFTER_WRITE
})
export default app
`,
  'express-listen.ts': `import express from 'express'
const app = express()
app.get('/boom', async () => {
  throw new Error('boom from express-listen') // THROW
})
app.listen(3000)
`,
  'koa.ts': `import Koa from 'koa'
const app = new Koa()
app.use(async (ctx) => {
  if (ctx.path === '/missing') ctx.throw(404)
  if (ctx.path === '/boom') throw new Error('boom from koa') // THROW
  ctx.body = 'koa'
})
app.listen(3000)
`,
  'fastify.ts': `import Fastify from 'fastify'
const app = Fastify()
app.get('/boom', async () => {
  throw new Error('boom from fastify') // THROW
})
await app.listen({ port: 3000 })
`,
  'h3.ts': `import { H3 } from 'h3'
const app = new H3()
app.get('/boom', () => {
  throw new Error('boom from h3') // THROW
})
export default { fetch: app.fetch }
`,
  // h3 1 (what Nitro 2 and Nuxt 3 ship), installed as h3-v1: its web handler and its Node listener.
  'h3-v1.ts': `import { createApp, createRouter, defineEventHandler, toWebHandler } from 'h3-v1'
const app = createApp()
const router = createRouter()
router.get('/boom', defineEventHandler(() => {
  throw new Error('boom from h3-v1') // THROW
}))
app.use(router)
export default { fetch: toWebHandler(app) }
`,
  'h3-v1-node.ts': `import { createServer } from 'node:http'
import { createApp, createRouter, defineEventHandler, toNodeListener } from 'h3-v1'
const app = createApp()
const router = createRouter()
router.get('/boom', defineEventHandler(async () => {
  await Promise.resolve()
  throw new Error('boom from h3-v1-node') // THROW
}))
app.use(router)
createServer(toNodeListener(app)).listen(3000)
`,
}

// The same apps with an error handler of their own: it must win.
const OWN: Record<string, string> = {
  'hono-own.ts': `import { Hono } from 'hono'
const app = new Hono()
app.get('/boom', () => { throw new Error('x') })
app.onError((error, c) => c.text('hono handled: ' + error.message, 500))
export default app
`,
  'express-own.ts': `import express from 'express'
const app = express()
app.get('/boom', () => { throw new Error('x') })
app.use((error: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => { res.status(500).send('express handled: ' + error.message) })
export default app
`,
  'koa-own.ts': `import Koa from 'koa'
const app = new Koa()
app.context.onerror = function (this: Koa.Context, error: Error | null) {
  if (!error) return
  this.res.statusCode = 500
  this.res.end('koa handled: ' + error.message)
}
app.use(() => { throw new Error('x') })
export default app
`,
  'fastify-own.ts': `import Fastify from 'fastify'
const app = Fastify()
app.setErrorHandler((error, _request, reply) => { reply.code(500).send('fastify handled: ' + error.message) })
app.get('/boom', async () => { throw new Error('x') })
export default app
`,
  'fastify-route-own.ts': `import Fastify from 'fastify'
const app = Fastify()
app.get('/boom', { errorHandler: (error, _request, reply) => { reply.code(500).send('fastify route handled: ' + error.message) } }, async () => { throw new Error('x') })
export default app
`,
  'h3-own.ts': `import { H3 } from 'h3'
const app = new H3({ onError: (error) => new Response('h3 handled: ' + (error.cause as Error).message, { status: 500 }) })
app.get('/boom', () => { throw new Error('x') })
export default app
`,
  'h3-v1-own.ts': `import { createApp, createRouter, defineEventHandler, send, setResponseStatus, toWebHandler } from 'h3-v1'
const app = createApp({
  onError: async (error, event) => {
    setResponseStatus(event, 500)
    await send(event, 'h3 v1 handled: ' + error.message)
  },
})
const router = createRouter()
router.get('/boom', defineEventHandler(() => { throw new Error('x') }))
app.use(router)
export default { fetch: toWebHandler(app) }
`,
}

const project = projectDir({ ...ENTRIES, ...OWN })
after(() => project.remove())

const throwLine = (name: string) => ENTRIES[name]!.split('\n').findIndex((line) => line.includes('// THROW')) + 1

describe('a thrown error reaches hotcell, when the app has no error handler of its own', () => {
  for (const name of Object.keys(ENTRIES)) {
    const framework = name.replace(/\.ts$/, '')
    describe(name, () => {
      let cli: CliRun
      before(async () => {
        cli = await startCli([name, '--port', '0', '--workers', '1'], { cwd: project.dir })
      })
      after(() => cli.stop())

      test("the client gets hotcell's 500 with the .ts line; the terminal shows it once, without hotcell's frames", async () => {
        const reply = await request(`${cli.url}/boom`)
        assert.equal(reply.status, 500, reply.text)
        assert.match(reply.text, /^500 The handler threw an error\n/)
        assert.match(reply.text, new RegExp(`Error: boom from ${framework}\\b`))
        assert.match(reply.text, new RegExp(`${name.replace('.', '\\.')}:${throwLine(name)}:\\d+`))
        const page = await request(`${cli.url}/boom`, { headers: { accept: 'text/html' } })
        assert.equal(page.status, 500)
        assert.match(String(page.headers['content-type']), /^text\/html/)
        assert.match(page.text, new RegExp(`boom from ${framework}`))

        await waitFor(() => (cli.output().match(/GET \/boom 500/g)?.length ?? 0) >= 2, 10_000, 'both request lines')
        const out = cli.output()
        assert.match(out, new RegExp(`boom from ${framework}`))
        assert.match(out, new RegExp(`${name.replace('.', '\\.')}:${throwLine(name)}:\\d+`))
        // Not the framework's own print of it (Hono's and h3's console.error, Express's and Koa's stack dump), not hotcell's machinery.
        assert.doesNotMatch(out, /dist\/workers|\.hotcell\/|node_modules\/piscina/, out)
        assert.doesNotMatch(out, /\[h3\]|HTTPError|^ {2}Error: boom/m, out)
        // Printed once: the second request's line says it is the same error.
        assert.equal(out.match(new RegExp(`Error: boom from ${framework}`, 'g'))?.length, 1, out)
        assert.match(out, /GET \/boom 500 .* · the same error as above\n/, out)
      })
    })
  }
})

describe('Express: an error thrown after the response began', () => {
  let cli: CliRun
  before(async () => {
    cli = await startCli(['express.ts', '--port', '0', '--workers', '1'], { cwd: project.dir })
  })
  after(() => cli.stop())

  test('cuts the response and is reported once, as the stream failure, mapped to the .ts line', async () => {
    // The client sees the start of the body, then the connection ends without the rest.
    const received = await new Promise<string>((resolve, reject) => {
      const req = httpGet(`${cli.url}/after-write`, (res) => {
        let body = ''
        res.on('data', (chunk: Buffer) => (body += chunk.toString()))
        res.on('close', () => resolve(body))
        res.on('error', () => {})
      })
      req.on('error', reject)
      req.setTimeout(10_000, () => req.destroy(new Error('no answer within 10 s')))
    })
    assert.equal(received, 'partial ')
    const line = ENTRIES['express.ts']!.split('\n').findIndex((l) => l.includes('// AFTER_WRITE')) + 1
    await waitFor(() => cli.output().includes('thrown after the head by express'), 10_000, 'the error in the terminal')
    const out = cli.output()
    // The client got a 200 and a cut body: the log says so, not "500".
    assert.match(out, /200 The response body stream failed after the response started: the body was cut off/)
    assert.match(out, new RegExp(`express\\.ts:${line}:\\d+`))
    // Not also printed by Express's finalhandler, and not a generic "destroyed" in its place.
    assert.equal(out.match(/Error: thrown after the head by express/g)?.length, 1, out)
    assert.doesNotMatch(out, /destroyed before it ended/, out)
  })
})

describe("the app's own error handler wins", () => {
  const servers: HotcellServer[] = []
  after(() => Promise.all(servers.map((s) => s.close())))
  const start = async (entry: string) => {
    const server = await serve({ entry: `${project.dir}/${entry}`, port: 0, workers: 1, quiet: !process.env.DEBUG_HOTCELL })
    servers.push(server)
    return server
  }
  const expected: Record<string, string> = {
    'hono-own.ts': 'hono handled: x',
    'express-own.ts': 'express handled: x',
    'koa-own.ts': 'koa handled: x',
    'fastify-own.ts': 'fastify handled: x',
    'fastify-route-own.ts': 'fastify route handled: x',
    'h3-own.ts': 'h3 handled: x',
    'h3-v1-own.ts': 'h3 v1 handled: x',
  }
  for (const [entry, text] of Object.entries(expected)) {
    test(entry, async () => {
      const server = await start(entry)
      const reply = await request(`${server.url}/boom`)
      assert.equal(reply.status, 500)
      assert.equal(reply.text, text)
    })
  }
})

describe('errors with a 4xx status stay the framework’s answer', () => {
  let express: HotcellServer
  let koa: HotcellServer
  before(async () => {
    const quiet = !process.env.DEBUG_HOTCELL
    ;[express, koa] = await Promise.all([
      serve({ entry: `${project.dir}/express.ts`, port: 0, workers: 1, quiet }),
      serve({ entry: `${project.dir}/koa.ts`, port: 0, workers: 1, quiet }),
    ])
  })
  after(() => Promise.all([express.close(), koa.close()]))

  test("Express: a body parser's 400 and an unknown route's 404 come from Express's finalhandler", async () => {
    const bad = await request(`${express.url}/json`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{oops' })
    assert.equal(bad.status, 400)
    assert.match(bad.text, /SyntaxError/)
    const missing = await request(`${express.url}/nowhere`)
    assert.equal(missing.status, 404)
    assert.match(missing.text, /<pre>Cannot GET \/nowhere<\/pre>/)
    assert.match(String(missing.headers['content-security-policy']), /^default-src 'none'/)
  })

  test("h3 1: an unknown route's 404 is h3's own answer", async () => {
    const h3 = await serve({ entry: `${project.dir}/h3-v1.ts`, port: 0, workers: 1, quiet: !process.env.DEBUG_HOTCELL })
    try {
      const missing = await request(`${h3.url}/nowhere`)
      assert.equal(missing.status, 404)
      assert.match(missing.text, /"statusCode": 404/)
    } finally {
      await h3.close()
    }
  })

  test('an Express Router exported on its own is named, with how to mount it on an app', async () => {
    project.write(
      'router.ts',
      "import express from 'express'\nconst router = express.Router()\nrouter.get('/hi', (_req, res) => { res.send('hi from the router') })\nexport default router\n",
    )
    const routed = await serve({ entry: `${project.dir}/router.ts`, port: 0, workers: 1, quiet: !process.env.DEBUG_HOTCELL })
    try {
      const page = await request(`${routed.url}/hi`)
      assert.equal(page.status, 500)
      assert.match(page.text, /is an Express Router, not an app[^\n]*Mount it on an app: const app = express\(\); app\.use\(router\); export default app/)
    } finally {
      await routed.close()
    }
  })

  test('Koa: ctx.throw(404) is answered by Koa', async () => {
    const missing = await request(`${koa.url}/missing`)
    assert.equal(missing.status, 404)
    assert.equal(missing.text, 'Not Found')
  })
})
