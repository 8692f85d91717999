// What the entry may export, what it may fail with, and what the client is told.
import assert from 'node:assert/strict'
import { connect } from 'node:net'
import { describe, test } from 'node:test'
import { request, serveProject } from './helpers.js'

async function serveFiles(files: Record<string, string>, entry = 'app.ts') {
  return (await serveProject(files, { entry, quiet: true })).server
}

describe('handler shapes', () => {
  test('an object with a fetch method, called with this = the object', async () => {
    const server = await serveFiles({
      'app.ts': `export default { greeting: 'hi', fetch(request: Request) { return new Response(this.greeting + ' ' + new URL(request.url).pathname) } }`,
    })
    assert.equal((await request(`${server.url}/x`)).text, 'hi /x')
  })

  test('a plain fetch function', async () => {
    const server = await serveFiles({ 'app.ts': `export default async (request: Request) => new Response('fn ' + request.method)` })
    assert.equal((await request(`${server.url}/`, { method: 'DELETE' })).text, 'fn DELETE')
  })

  test('a handler written for Bun, calling server.upgrade() or server.requestIP(): the 500 says what hotcell has instead', async () => {
    const server = await serveFiles({
      'app.ts': `export default {
  fetch(request: Request, server: any) {
    if (new URL(request.url).pathname === '/ip') return new Response(server.requestIP(request).address)
    if (server.upgrade(request)) return
    return new Response('no upgrade')
  },
}
`,
    })
    const upgrade = await request(`${server.url}/ws`)
    assert.equal(upgrade.status, 500)
    assert.match(
      upgrade.text,
      /TypeError: server\.upgrade is not a function\nIf this is Bun's server\.upgrade\(\): a fetch handler here is called with \(request, env, ctx\), as on Cloudflare Workers, not with Bun's server; accept a WebSocket with a WebSocketPair and a 101 response/,
    )
    const ip = await request(`${server.url}/ip`)
    assert.equal(ip.status, 500)
    assert.match(ip.text, /server\.requestIP is not a function\nIf this is Bun's server\.requestIP\(\):.*read the client's address from request\.ip/)
  })

  test('no default export: 500 naming what was found and what is expected', async () => {
    const server = await serveFiles({ 'app.ts': `export const handler = () => new Response('x')` })
    const res = await request(`${server.url}/`)
    assert.equal(res.status, 500)
    assert.match(res.text, /has no default export\. It has only named exports: handler\./)
    assert.match(res.text, /export default \{ fetch\(request, env, ctx\)/)
    // The one function it exports is named: the likely fix is one line.
    assert.match(res.text, /\nThe named export handler is a function: if it is your handler, export it as the default too: export default handler\n/)
  })

  test('no default export and several functions, or a class: no guess at which is the handler', async () => {
    const server = await serveFiles({ 'app.ts': `export const a = () => new Response('a')\nexport const b = () => new Response('b')\nexport class C {}\n` })
    const res = await request(`${server.url}/`)
    assert.equal(res.status, 500)
    assert.match(res.text, /It has only named exports: C, a, b\./)
    assert.doesNotMatch(res.text, /The named export/)
  })

  test('no default export, but a named Hono app: the 500 says to export it as the default', async () => {
    const server = await serveFiles({ 'app.ts': `import { Hono } from 'hono'\nexport const app = new Hono().get('/', (c) => c.text('x'))\n` })
    const res = await request(`${server.url}/`)
    assert.equal(res.status, 500)
    assert.match(
      res.text,
      /It has only named exports: app\. It starts no server either\.[^\n]*\nThe named export app has a fetch\(\) method: if it is your handler, export it as the default too: export default app\n/,
      res.text,
    )
  })

  test('in a "type": "commonjs" package (npm init\'s default), an entry that listens once its database is up is served', async () => {
    // esbuild makes an entry without exports there CommonJS: the bundle's default export is an empty module.exports.
    const server = await serveFiles({
      'package.json': '{ "type": "commonjs" }\n',
      'app.ts': `import { createServer } from 'node:http'\nconst connectDb = () => new Promise((r) => setTimeout(r, 100))\nconnectDb().then(() => createServer((_req, res) => res.end('db ready')).listen(3000))\n`,
    })
    const res = await request(`${server.url}/`)
    assert.equal(res.text, 'db ready')
    assert.equal(res.status, 200)
  })

  test('an entry that exports nothing and starts no server in a "type": "commonjs" package: 500 saying so', async () => {
    const server = await serveFiles({ 'package.json': '{ "type": "commonjs" }\n', 'app.ts': `console.log('nothing to serve')\n` })
    const res = await request(`${server.url}/`)
    assert.equal(res.status, 500)
    assert.match(
      res.text,
      /The default export of .*app\.ts is an empty object \(what an entry without exports in a "type": "commonjs" package gets\), and it starts no server either/,
    )
  })

  test('a default export of the wrong type: 500 saying what it is', async () => {
    const server = await serveFiles({ 'app.ts': `export default 'hello'` })
    const res = await request(`${server.url}/`)
    assert.equal(res.status, 500)
    assert.match(res.text, /The default export of .*app\.ts is the string "hello"/)
  })

  test('a handler that returns something other than a Response: 500 naming it', async () => {
    const server = await serveFiles({ 'app.ts': `export default { fetch: () => ({ status: 200, body: 'hi' }) }` })
    const res = await request(`${server.url}/`)
    assert.equal(res.status, 500)
    assert.match(res.text, /The handler returned an object with keys status, body; expected a Response/)
  })

  test('a handler that returns a plain object or an array: the 500 says to use Response.json() and where the handler is', async () => {
    const server = await serveFiles({
      'app.ts': `export default {
  async fetch(request: Request) {
    const user = { id: 1, name: 'ann' }
    return (new URL(request.url).pathname === '/list' ? [user] : user) as unknown as Response
  },
}
`,
    })
    const res = await request(`${server.url}/`)
    assert.equal(res.status, 500)
    assert.match(res.text, /^500 The handler did not return a Response\n/)
    assert.match(
      res.text,
      /The handler returned an object with keys id, name; expected a Response .*\. To send it as JSON: `return Response\.json\(value\)`\.\n/,
    )
    // The handler's definition, with its code frame: the failure has no stack of the app's.
    assert.match(res.text, /\n {4}at the handler \(\S*app\.ts:2:3\)\n/)
    assert.match(res.text, /^> 2 \| {3}async fetch\(request: Request\) \{$/m)
    const list = await request(`${server.url}/list`)
    assert.match(list.text, /The handler returned an array of length 1; .*To send it as JSON: `return Response\.json\(value\)`/)
  })

  test('a handler that returns a string: no JSON hint, but where the handler is', async () => {
    const server = await serveFiles({ 'app.ts': `export default (request: Request) => 'hi ' + request.method\n` })
    const res = await request(`${server.url}/`)
    assert.equal(res.status, 500)
    assert.match(
      res.text,
      /The handler returned the string "hi GET"; expected a Response \(for example `return new Response\("hi"\)`\)\.\n {4}at the handler \(\S*app\.ts:1:16\)\n/,
    )
    assert.doesNotMatch(res.text, /Response\.json/)
  })

  test('a default export that makes the app (a factory) called per request: the 500 says to export what it makes', async () => {
    const server = await serveFiles({ 'app.ts': `export default async () => ({ fetch: () => new Response('app') })` })
    const res = await request(`${server.url}/`)
    assert.equal(res.status, 500)
    assert.match(res.text, /The handler returned an object with keys fetch; expected a Response .*It returned an app: .*export default await createApp\(\)/s)
  })

  test('a class exported instead of an instance: 500 saying to export an instance', async () => {
    const server = await serveFiles({ 'app.ts': `export default class App { fetch() { return new Response('class') } }` })
    const res = await request(`${server.url}/`)
    assert.equal(res.status, 500)
    assert.match(
      res.text,
      /The default export of .*app\.ts is the class App, which cannot be called without new\. Export an instance: export default new App\(\)/,
    )
  })

  test("a transpiler's CommonJS output of `export default app` (exports.__esModule, exports.default) is served", async () => {
    const server = await serveFiles(
      {
        'package.json': '{ "type": "commonjs" }\n',
        'server.js': `"use strict";\nObject.defineProperty(exports, "__esModule", { value: true });\nexports.default = { fetch: () => new Response("tsc output") };\n`,
      },
      'server.js',
    )
    assert.equal((await request(`${server.url}/`)).text, 'tsc output')
  })

  test("handler: 'node' given for a fetch handler: the 500 names the option", async () => {
    const { server } = await serveProject({ 'app.ts': `export default { fetch: () => new Response('hi') }` }, { handler: 'node', quiet: true })
    const res = await request(`${server.url}/`)
    assert.equal(res.status, 500)
    assert.match(res.text, /is a fetch handler \(an object with a fetch method\), but the handler option is 'node' \(--handler node\)/)
  })

  test("handler: 'fetch' given for a Node (req, res) handler: its TypeError names the option; a fetch handler's own TypeError is left as it is", async () => {
    const cases = [
      { app: `export default (req: any, res: any) => { res.setHeader('x', '1'); res.end('hi') }`, hinted: true },
      { app: `export default async function (req: any, res: any, next: any) { await 0; res.end('hi') }`, hinted: true },
      { app: `export default (request: Request, env: any) => env.missing.call()`, hinted: false },
    ]
    for (const { app, hinted } of cases) {
      const { server } = await serveProject({ 'app.ts': app }, { handler: 'fetch', quiet: true })
      const res = await request(`${server.url}/`)
      assert.equal(res.status, 500, app)
      assert.match(res.text, /^TypeError: /m, app)
      const hint =
        /hotcell called this \(req, res\) handler as a fetch handler, with \(request, env, ctx\), because the handler option is 'fetch' \(--handler fetch\)/
      if (hinted) assert.match(res.text, hint, app)
      else assert.doesNotMatch(res.text, /handler option/, app)
      await server.close()
    }
  })

  test("an entry that also exports 'module.exports' is found by its default export", async () => {
    // require() of an ES module returns that export instead of the namespace: the loader must not.
    const server = await serveFiles({
      'app.ts': `const handler = () => new Response('by default')\nexport { handler as 'module.exports' }\nexport default handler\n`,
    })
    const res = await request(`${server.url}/`)
    assert.equal(res.status, 200, res.text)
    assert.equal(res.text, 'by default')
  })

  test("a package's JSON imported with its type attribute", async () => {
    const server = await serveFiles({
      'package.json': '{ "type": "module" }\n',
      'node_modules/settings/package.json': '{ "name": "settings", "version": "1.2.3" }\n',
      'app.ts': `import pkg from 'settings/package.json' with { type: 'json' }\nexport default { fetch: () => new Response(pkg.version) }\n`,
    })
    const res = await request(`${server.url}/`)
    assert.equal(res.status, 200, res.text)
    assert.equal(res.text, '1.2.3')
  })

  test('TSX and tsconfig paths are compiled', async () => {
    const server = await serveFiles(
      {
        'tsconfig.json': JSON.stringify({ compilerOptions: { jsx: 'react-jsx', jsxImportSource: 'hono/jsx', baseUrl: '.', paths: { '@lib/*': ['lib/*'] } } }),
        'lib/title.ts': `export const title = (s: string): string => s.toUpperCase()`,
        'app.tsx': `import { title } from '@lib/title'
const Page = (props: { name: string }) => <h1 class="t">{title(props.name)}</h1>
export default { fetch: () => new Response(String(<Page name="tsx works" />), { headers: { 'content-type': 'text/html' } }) }`,
      },
      'app.tsx',
    )
    const res = await request(`${server.url}/`)
    assert.equal(res.status, 200)
    assert.equal(res.text, '<h1 class="t">TSX WORKS</h1>')
  })
})

describe('entries that start their own servers', () => {
  test("an https server's listen() is captured and served; a plain TCP server's binds for real", async () => {
    const server = await serveFiles({
      'app.ts': `import { createServer } from 'node:https'
import { createServer as createTcpServer, type AddressInfo } from 'node:net'
const tcp = createTcpServer((socket) => socket.end('tcp ok')).listen(0, '127.0.0.1')
createServer((req, res) => res.end(String((tcp.address() as AddressInfo).port))).listen(3443)`,
    })
    const reply = await request(`${server.url}/`)
    assert.equal(reply.status, 200)
    const port = Number(reply.text)
    assert.ok(port > 0 && port !== server.port, reply.text)
    const text = await new Promise<string>((resolve, reject) => {
      let data = ''
      const socket = connect(port, '127.0.0.1')
      socket.setTimeout(5000, () => socket.destroy(new Error('no answer from the TCP server within 5 s')))
      socket.on('data', (chunk) => (data += chunk))
      socket.on('end', () => resolve(data))
      socket.on('error', reject)
    })
    assert.equal(text, 'tcp ok')
  })
})

describe('failures before the first request', () => {
  test('a build error at start is served as 500 with file:line:column and a code frame; the server stays up', async () => {
    const server = await serveFiles({ 'app.ts': `export default {\n  fetch() {\n    return new Response('x'\n  }\n}\n` })
    for (const accept of ['text/plain', 'text/html']) {
      const res = await request(`${server.url}/`, { headers: { accept } })
      assert.equal(res.status, 500)
      assert.match(res.text, /Build failed/)
      assert.match(res.text, /app\.ts:4:3/)
      assert.match(res.text, /Expected &#34;\)&#34;|Expected "\)"/)
    }
  })

  test('an entry that throws while imported: 500 with the stack mapped to the .ts line', async () => {
    const server = await serveFiles({
      'app.ts': `import { config } from './config'\nexport default { fetch: () => new Response(config) }\n`,
      'config.ts': `type Config = string\nfunction load(): Config {\n  throw new Error('DATABASE_URL is not set')\n}\nexport const config = load()\n`,
    })
    const res = await request(`${server.url}/`)
    assert.equal(res.status, 500)
    assert.match(res.text, /The entry threw while being imported/)
    assert.match(res.text, /Error: DATABASE_URL is not set/)
    assert.match(res.text, /config\.ts:3:9/)
    assert.match(res.text, />\s+3 \|\s+throw new Error\('DATABASE_URL is not set'\)/)
  })

  test('error pages escape what the error says', async () => {
    const server = await serveFiles({ 'app.ts': `export default { fetch() { throw new Error('<script>alert(1)</script>') } }` })
    const res = await request(`${server.url}/`, { headers: { accept: 'text/html' } })
    assert.equal(res.status, 500)
    assert.equal(res.headers['content-type'], 'text/html; charset=utf-8')
    assert.doesNotMatch(res.text, /<script>alert/)
    assert.match(res.text, /(&#60;|&lt;)script(&#62;|&gt;)alert\(1\)/)
  })
})
