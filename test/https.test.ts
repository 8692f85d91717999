// serve({ https }) end to end: real TLS, HTTP/2 through ALPN and HTTP/1.1,
// clients that verify the certificate (never rejectUnauthorized: false).
// The generated certificate goes to a temporary XDG_CACHE_HOME, never to the
// user's real cache.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { X509Certificate } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connect as tlsConnect, type TLSSocket } from 'node:tls'
import { after, before, describe, test } from 'node:test'
import { serve, type HotcellServer } from '../src/index.js'
import { PROCESS_TOKEN } from '../src/http/gate/same-origin.js'
import { DEV_CERTIFICATE_FILE } from '../src/http/tls/dev-certificate.js'
import { generateCertificate } from '../src/http/tls/generate-certificate.js'
import { BIN, fixture, projectDir, request, ROOT, runMain, startCli, waitFor, withDeadline } from './helpers.js'
import { launchChromium, needsChromium } from './browser.js'
import { h1, h2 } from './tls-clients.js'

const quiet = !process.env.DEBUG_HOTCELL
const cache = mkdtempSync(join(tmpdir(), 'hotcell-https-cache-'))
process.env.XDG_CACHE_HOME = cache
const certFile = join(cache, 'hotcell', DEV_CERTIFICATE_FILE)
/** The generated certificate as a trust anchor: the clients verify the server with it. */
const generatedCert = () => /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n/.exec(readFileSync(certFile, 'utf8'))![0]

const cleanups: (() => unknown)[] = []
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup()
  rmSync(cache, { recursive: true, force: true })
})

const APP = `
let release: () => void = () => {}
const released = new Promise<void>((resolve) => (release = resolve))
export default {
  async fetch(request: Request) {
    const url = new URL(request.url)
    switch (url.pathname) {
      case '/url':
        return Response.json({ url: request.url, host: request.headers.get('host'), headers: [...request.headers.keys()] })
      case '/echo': {
        const body = await request.text()
        return Response.json({ length: body.length, head: body.slice(0, 10) })
      }
      case '/stream':
        // The second event waits for /release: the first one can only be seen if it was sent as produced.
        return new Response(new ReadableStream({
          async start(controller) {
            controller.enqueue(new TextEncoder().encode('data: one\\n\\n'))
            await released
            controller.enqueue(new TextEncoder().encode('data: two\\n\\n'))
            controller.close()
          },
        }), { headers: { 'content-type': 'text/event-stream', connection: 'keep-alive' } })
      case '/release':
        release()
        return new Response('released')
      case '/boom':
        throw new Error('boom over TLS')
      case '/page':
        return new Response('<!doctype html><html><body><h1>page</h1></body></html>', { headers: { 'content-type': 'text/html' } })
      default:
        return new Response('not found', { status: 404, headers: { 'transfer-encoding': 'chunked', 'keep-alive': 'timeout=5' } })
    }
  },
}
`

describe('serve({ https: true }): the generated certificate', () => {
  let server: HotcellServer
  let project: ReturnType<typeof projectDir>
  before(async () => {
    project = projectDir({ 'app.ts': APP, 'public/hello.txt': 'static over TLS' })
    cleanups.push(project.remove)
    server = await serve({
      entry: join(project.dir, 'app.ts'),
      port: 0,
      workers: 1,
      quiet,
      https: true,
      bodyLimit: '64kb',
      static: join(project.dir, 'public'),
    })
    cleanups.push(() => server.close())
  })

  test('the URL is https, and the certificate is stored 0600 in XDG_CACHE_HOME/hotcell', () => {
    assert.match(server.url, /^https:\/\/127\.0\.0\.1:\d+$/)
    if (process.platform !== 'win32') assert.equal(statSync(certFile).mode & 0o777, 0o600)
  })

  test('http:// to the HTTPS port: a plain-text 400 that says to use https://, not an empty reply', async () => {
    const reply = await request(server.url.replace('https:', 'http:') + '/page')
    assert.equal(reply.status, 400)
    assert.equal(reply.text, 'This port speaks HTTPS: use https:// in the address, not http://\n')
    // The port still speaks HTTPS.
    assert.equal((await h1(`${server.url}/url`, generatedCert())).status, 200)
  })

  test('ALPN offers h2 and picks it; a client offering only http/1.1 (or no ALPN) gets HTTP/1.1', async () => {
    const negotiate = (protocols: string[] | undefined) =>
      withDeadline(
        new Promise<string | false>((resolve, reject) => {
          const socket: TLSSocket = tlsConnect(
            { host: '127.0.0.1', port: server.port, ca: generatedCert(), ...(protocols ? { ALPNProtocols: protocols } : {}) },
            () => {
              resolve(socket.alpnProtocol ?? false)
              socket.destroy()
            },
          )
          socket.on('error', reject)
        }),
        10_000,
        'TLS handshake',
      )
    assert.equal(await negotiate(['h2', 'http/1.1']), 'h2')
    assert.equal(await negotiate(['http/1.1']), 'http/1.1')
    assert.equal(await negotiate(undefined), false)
    assert.equal((await h1(`${server.url}/url`, generatedCert())).status, 200)
  })

  test('Node https and http2 clients verify it; the handler sees https: and the Host from :authority', async () => {
    const overH1 = await h1(`${server.url}/url`, generatedCert())
    assert.equal(overH1.alpn, 'http/1.1')
    assert.equal(overH1.peer.fingerprint256, new X509Certificate(generatedCert()).fingerprint256)
    assert.equal(JSON.parse(overH1.text).url, `${server.url}/url`)
    const client = await h2(server.url, generatedCert())
    try {
      const reply = await client.request('/url?q=1')
      const seen = JSON.parse(reply.text) as { url: string; host: string; headers: string[] }
      assert.equal(seen.url, `${server.url}/url?q=1`)
      assert.equal(seen.host, new URL(server.url).host)
      assert.ok(!seen.headers.some((name) => name.startsWith(':')), `no pseudo-headers reach the handler: ${seen.headers.join(', ')}`)
      // Connection-specific headers a handler sets are dropped, not sent (they are malformed in HTTP/2).
      const notFound = await client.request('/nothing')
      assert.equal(notFound.status, 404)
      assert.equal(notFound.headers['transfer-encoding'], undefined)
      assert.equal(notFound.text, 'not found')
    } finally {
      await client.close()
    }
  })

  test('HTTP/2: a stream arrives as produced (Server-Sent Events), with connection headers dropped', async () => {
    const client = await h2(server.url, generatedCert())
    try {
      const events = await client.stream('/stream')
      assert.equal(events.status, 200)
      assert.equal(events.headers.connection, undefined)
      assert.equal(await events.next(), 'data: one\n\n')
      assert.equal((await client.request('/release')).text, 'released')
      assert.equal(await events.next(), 'data: two\n\n')
      assert.equal(await events.next(), undefined)
    } finally {
      await client.close()
    }
  })

  test('HTTP/2: a body without Content-Length reaches the handler; one over the limit is 413 and the session goes on', async () => {
    const client = await h2(server.url, generatedCert())
    try {
      const small = await client.request('/echo', { method: 'POST', body: 'x'.repeat(1000) })
      assert.deepEqual(JSON.parse(small.text), { length: 1000, head: 'xxxxxxxxxx' })
      // 1 MB against a 64 kB limit, without Content-Length: refused while the client is still sending.
      const big = await client.request('/echo', { method: 'POST', body: Buffer.alloc(1 << 20, 97) })
      assert.equal(big.status, 413)
      // The HTTP/2 form of Connection: close: the stream is reset, so the client stops sending (else it waits on flow control).
      assert.equal(big.reset, true)
      const declared = await client.request('/echo', { method: 'POST', body: Buffer.alloc(100_000, 97), headers: { 'content-length': '100000' } })
      assert.equal(declared.status, 413)
      assert.equal((await client.request('/url')).status, 200)
    } finally {
      await client.close()
    }
  })

  test('HTTP/2: the Host guard reads :authority', async () => {
    const client = await h2(server.url, generatedCert())
    try {
      const foreign = await client.request('/url', { authority: 'evil.example' })
      assert.equal(foreign.status, 403)
      assert.match(foreign.text, /evil\.example/)
      // An :authority and a different Host header: ambiguous, refused.
      const both = await client.request('/url', { authority: `localhost:${server.port}`, headers: { host: 'evil.example' } })
      assert.equal(both.status, 400)
      assert.equal((await client.request('/url', { authority: `localhost:${server.port}` })).status, 200)
    } finally {
      await client.close()
    }
  })

  test('error pages, --static and the live-reload stream work over HTTP/2 and HTTP/1.1', async () => {
    const client = await h2(server.url, generatedCert())
    try {
      const boom = await client.request('/boom')
      assert.equal(boom.status, 500)
      assert.match(boom.text, /boom over TLS/)
      assert.match(boom.text, /app\.ts:\d+/)
      const overH1 = await h1(`${server.url}/boom`, generatedCert())
      assert.equal(overH1.status, 500)
      assert.match(overH1.text, /boom over TLS/)
      assert.equal((await client.request('/hello.txt')).text, 'static over TLS')
      assert.equal((await h1(`${server.url}/hello.txt`, generatedCert())).text, 'static over TLS')

      const page = await client.request('/page', { headers: { accept: 'text/html' } })
      assert.match(page.text, /__hotcell\/live-reload/)
      const live = await client.stream(`/__hotcell/live-reload?token=${PROCESS_TOKEN}&v=0`)
      assert.equal(live.status, 200)
      assert.match((await live.next()) ?? '', /retry:/)
      project.write('app.ts', APP + '\n// edited\n')
      assert.match((await live.next()) ?? '', /event: reload/)
      live.close()
    } finally {
      await client.close()
    }
  })
})

describe('serve({ https: true }) again: a restart', () => {
  test('serves the same certificate (the browser exception holds) without making a new one', async () => {
    const project = projectDir({ 'app.ts': 'export default { fetch: () => new Response("again") }\n' })
    cleanups.push(project.remove)
    const before = new X509Certificate(generatedCert()).fingerprint256
    const mtime = statSync(certFile).mtimeMs
    const server = await serve({ entry: join(project.dir, 'app.ts'), port: 0, workers: 1, quiet, https: true })
    try {
      const reply = await h1(server.url, generatedCert())
      assert.equal(reply.text, 'again')
      assert.equal(reply.peer.fingerprint256, before)
      assert.equal(statSync(certFile).mtimeMs, mtime)
    } finally {
      await server.close()
    }
  })
})

describe('serve({ cert, key }): your own certificate', () => {
  test('serves exactly the given certificate, over HTTP/2 and HTTP/1.1', async () => {
    const made = await generateCertificate(['localhost', '127.0.0.1'], new Date(Date.now() - 86_400_000), new Date(Date.now() + 30 * 86_400_000))
    const project = projectDir({
      'app.ts': 'export default { fetch: (r: Request) => new Response(new URL(r.url).protocol) }\n',
      'cert.pem': made.cert,
      'key.pem': made.key,
    })
    cleanups.push(project.remove)
    const server = await serve({
      entry: join(project.dir, 'app.ts'),
      port: 0,
      workers: 1,
      quiet,
      cert: join(project.dir, 'cert.pem'),
      key: join(project.dir, 'key.pem'),
    })
    try {
      const given = new X509Certificate(made.cert)
      const reply = await h1(server.url, made.cert)
      assert.equal(reply.text, 'https:')
      assert.deepEqual(reply.peer.raw, given.raw)
      const client = await h2(server.url, made.cert)
      try {
        assert.equal((await client.request('/')).text, 'https:')
        assert.deepEqual(client.peer().raw, given.raw)
      } finally {
        await client.close()
      }
    } finally {
      await server.close()
    }
  })

  test('a missing or mismatched file fails serve() with one line naming it', async () => {
    const one = await generateCertificate(['localhost'], new Date(Date.now() - 86_400_000), new Date(Date.now() + 86_400_000))
    const two = await generateCertificate(['localhost'], new Date(Date.now() - 86_400_000), new Date(Date.now() + 86_400_000))
    const project = projectDir({ 'app.ts': 'export default () => new Response("x")\n', 'cert.pem': one.cert, 'key.pem': two.key })
    cleanups.push(project.remove)
    const entry = join(project.dir, 'app.ts')
    await assert.rejects(serve({ entry, port: 0, cert: 'nope.pem', key: 'key.pem', cwd: project.dir }), { message: /^cert file not found: nope\.pem/ })
    await assert.rejects(serve({ entry, port: 0, cert: 'cert.pem', cwd: project.dir }), { message: /^cert needs its private key too/ })
    await assert.rejects(serve({ entry, port: 0, cert: 'cert.pem', key: 'key.pem', cwd: project.dir }), {
      message: /^key file key\.pem is not the key of the certificate in cert\.pem/,
    })
    writeFileSync(join(project.dir, 'key.pem'), 'not a key')
    await assert.rejects(serve({ entry, port: 0, cert: 'cert.pem', key: 'key.pem', cwd: project.dir }), { message: /^key file key\.pem holds no private key/ })
  })
})

describe('frameworks over https: their protocol helpers say https', () => {
  const apps: Record<string, string> = {
    express: `import express from 'express'
const app = express()
app.get('/', (req, res) => { res.json({ protocol: req.protocol, secure: req.secure, encrypted: Boolean((req.socket as { encrypted?: boolean }).encrypted) }) })
export default app
`,
    koa: `import Koa from 'koa'
const app = new Koa()
app.use((ctx) => { ctx.body = { protocol: ctx.protocol, secure: ctx.secure, href: ctx.href } })
export default app.callback()
`,
    fastify: `import Fastify from 'fastify'
const app = Fastify()
app.get('/', async (request) => ({ protocol: request.protocol }))
await app.listen({ port: 3000 })
`,
    hono: `import { Hono } from 'hono'
const app = new Hono()
app.get('/', (c) => c.json({ protocol: new URL(c.req.url).protocol }))
export default app
`,
  }
  for (const [name, source] of Object.entries(apps)) {
    test(name, async () => {
      const project = projectDir({ 'app.ts': source })
      cleanups.push(project.remove)
      const server = await serve({ entry: join(project.dir, 'app.ts'), port: 0, workers: 1, quiet, https: true })
      try {
        const client = await h2(server.url, generatedCert())
        try {
          const seen = JSON.parse((await client.request('/')).text) as Record<string, unknown>
          assert.equal(seen.protocol, name === 'hono' ? 'https:' : 'https', JSON.stringify(seen))
          if (name === 'express') assert.deepEqual(seen, { protocol: 'https', secure: true, encrypted: true })
          if (name === 'koa') assert.deepEqual(seen, { protocol: 'https', secure: true, href: `${server.url}/` })
        } finally {
          await client.close()
        }
      } finally {
        await server.close()
      }
    })
  }
})

describe('the hotcell command with --https and --cert/--key', () => {
  const env = { XDG_CACHE_HOME: cache }

  test('--cert/--key files made again are served from the next handshake; a half-written pair is said once and not used', async () => {
    const days = (n: number) => new Date(Date.now() + n * 86_400_000)
    const one = await generateCertificate(['localhost', '127.0.0.1'], days(-1), days(30))
    const two = await generateCertificate(['localhost', '127.0.0.1'], days(-1), days(30))
    const project = projectDir({ 'app.ts': 'export default { fetch: () => new Response("ok") }\n', 'cert.pem': one.cert, 'key.pem': one.key })
    cleanups.push(project.remove)
    const cli = await startCli(['app.ts', '--cert', 'cert.pem', '--key', 'key.pem', '--port', '0', '--workers', '1'], { cwd: project.dir, env })
    try {
      assert.deepEqual((await h1(cli.url, one.cert)).peer.raw, new X509Certificate(one.cert).raw)
      // The key first: for a moment the files are not a pair.
      writeFileSync(join(project.dir, 'key.pem'), two.key)
      await waitFor(
        () =>
          /the certificate files changed, but --key file key\.pem is not the key of the certificate in cert\.pem: give the key that was made with that certificate; new connections still get the certificate served before/.test(
            cli.output(),
          ),
        10_000,
        `the mismatch line\n${cli.output()}`,
      )
      assert.deepEqual((await h1(cli.url, one.cert)).peer.raw, new X509Certificate(one.cert).raw)
      writeFileSync(join(project.dir, 'cert.pem'), two.cert)
      await waitFor(() => /cert\.pem changed: new connections get the new certificate/.test(cli.output()), 10_000, `the reload line\n${cli.output()}`)
      const reply = await h1(cli.url, two.cert)
      assert.equal(reply.text, 'ok')
      assert.deepEqual(reply.peer.raw, new X509Certificate(two.cert).raw)
    } finally {
      await cli.stop()
    }
  })

  test('--no-https beside --cert and --key serves plain HTTP and says the certificate is not used', async () => {
    // An override (npm run dev -- --no-https over a script's --cert), not an error; the files are not even read.
    const cli = await startCli([fixture('counter.ts'), '--cert', 'c.pem', '--key', 'k.pem', '--no-https', '--port', '0', '--workers', '1'], { env })
    try {
      assert.match(cli.url, /^http:\/\/127\.0\.0\.1:\d+$/)
      assert.equal((await request(cli.url)).status, 200)
      await waitFor(() => /hotcell: --no-https: serving plain HTTP; --cert and --key are not used/.test(cli.output()), 5_000, `the line\n${cli.output()}`)
    } finally {
      await cli.stop()
    }
  })

  test('--https: the ready line is https, the banner names the certificate, and it is the cached one', async () => {
    const cli = await startCli([fixture('counter.ts'), '--https', '--port', '0', '--workers', '1'], { env })
    try {
      assert.match(cli.url, /^https:\/\/127\.0\.0\.1:\d+$/)
      await waitFor(
        () => /https +self-signed certificate .*dev-certificate\.pem \(for localhost, 127\.0\.0\.1, ::1/.test(cli.output()),
        10_000,
        'the banner line of the certificate',
      )
      const reply = await h1(cli.url, generatedCert())
      assert.equal(reply.status, 200)
      assert.equal(reply.peer.fingerprint256, new X509Certificate(generatedCert()).fingerprint256)
      // A plain-HTTP request to the TLS port is not served: told to use https:// (and nothing crashes).
      assert.equal((await request(cli.url.replace('https:', 'http:'), { timeoutMs: 5000 })).status, 400)
      assert.equal((await h1(cli.url, generatedCert())).status, 200)
      assert.equal(await cli.stop(), 0)
    } finally {
      if (cli.child.exitCode === null) cli.child.kill('SIGKILL')
    }
  })

  test('a missing or mismatched --cert/--key is one line naming the flag and the file, exit 1', async () => {
    const one = await generateCertificate(['localhost'], new Date(Date.now() - 86_400_000), new Date(Date.now() + 86_400_000))
    const two = await generateCertificate(['localhost'], new Date(Date.now() - 86_400_000), new Date(Date.now() + 86_400_000))
    const project = projectDir({ 'app.ts': 'export default () => new Response("x")\n', 'cert.pem': one.cert, 'key.pem': two.key })
    cleanups.push(project.remove)
    const app = join(project.dir, 'app.ts')
    const cases: [string[], RegExp][] = [
      [['--cert', join(project.dir, 'nope.pem'), '--key', join(project.dir, 'key.pem')], /^hotcell: --cert file not found: .*nope\.pem/],
      [['--cert', join(project.dir, 'cert.pem')], /^hotcell: --cert needs its private key too/],
      [
        ['--cert', join(project.dir, 'cert.pem'), '--key', join(project.dir, 'key.pem')],
        /^hotcell: --key file .*key\.pem is not the key of the certificate in .*cert\.pem/,
      ],
    ]
    for (const [flags, message] of cases) {
      const run = await runMain([app, '--port', '0', ...flags], env)
      assert.equal(run.code, 1, run.stderr)
      assert.match(run.stderr, message)
      assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr)
    }
  })

  test('under the supervisor, TLS works on the connections it holds and hands over while the server restarts', async () => {
    const cli = await startCli([fixture('faults.ts'), '--https', '--port', '0', '--workers', '1', '--max-memory', '128'], { env })
    try {
      assert.equal((await h1(`${cli.url}/ok`, generatedCert())).status, 200)
      // A V8 fatal error aborts the server process; the supervisor keeps the port.
      await assert.rejects(h1(`${cli.url}/v8-abort`, generatedCert(), { timeoutMs: 60_000 }))
      // Accepted by the supervisor while no server process runs, handed over to the new one: the TLS handshake happens there.
      const during = await Promise.all(Array.from({ length: 5 }, () => h1(`${cli.url}/ok`, generatedCert(), { timeoutMs: 30_000 })))
      assert.deepEqual(
        during.map((r) => r.status),
        [200, 200, 200, 200, 200],
      )
      assert.match(cli.output(), /Restarting it/)
      await waitFor(() => (cli.output().match(/ready on https:/g) ?? []).length === 2, 10_000, 'the second ready line')
      const client = await h2(cli.url, generatedCert())
      try {
        assert.equal((await client.request('/ok')).status, 200)
      } finally {
        await client.close()
      }
      assert.equal(await cli.stop(), 0)
    } finally {
      if (cli.child.exitCode === null) cli.child.kill('SIGKILL')
    }
  })
})

describe('Chromium over https', { skip: needsChromium() }, () => {
  test('a page served over HTTP/2 with the generated certificate live-reloads on an edit', async () => {
    const page = (text: string) =>
      `export default { fetch: () => new Response('<!doctype html><html><head><title>app</title></head><body><h1>${text}</h1></body></html>', { headers: { 'content-type': 'text/html; charset=utf-8' } }) }\n`
    const project = projectDir({ 'app.ts': page('version one') })
    cleanups.push(project.remove)
    const server = await serve({ entry: join(project.dir, 'app.ts'), port: 0, workers: 1, quiet, https: true })
    cleanups.push(() => server.close())
    const browser = await launchChromium()
    // The certificate error a user accepts once with "proceed anyway".
    const context = await browser.newContext({ ignoreHTTPSErrors: true })
    const tab = await context.newPage()
    const stream = tab.waitForResponse((r) => r.url().includes('/__hotcell/live-reload'), { timeout: 20_000 })
    await tab.goto(server.url, { timeout: 20_000 })
    assert.equal(await tab.locator('h1').first().textContent({ timeout: 20_000 }), 'version one')
    // Chromium negotiated HTTP/2 through ALPN, and the page is a secure context.
    assert.equal(await tab.evaluate(`performance.getEntriesByType('navigation')[0].nextHopProtocol`), 'h2')
    assert.equal(await tab.evaluate('isSecureContext'), true)
    assert.equal((await stream).status(), 200)

    project.write('app.ts', page('version two'))
    await tab.waitForFunction(`document.querySelector('h1')?.textContent === 'version two'`, undefined, { timeout: 30_000 })
  })
})

describe('hotcell bench --https', () => {
  test('measures the handler over TLS, the baseline on node:https beside it, every request answered 200', async () => {
    const own = mkdtempSync(join(tmpdir(), 'hotcell-bench-cache-'))
    cleanups.push(() => rmSync(own, { recursive: true, force: true }))
    const child = spawn(
      process.execPath,
      [BIN, 'bench', fixture('bench-hello.ts'), '--https', '--baseline', '-d', '1s', '-c', '4', '--warmup', '200ms', '-g', 'undici', '-w', '1', '--json'],
      {
        cwd: ROOT,
        env: { ...process.env, NO_COLOR: '1', XDG_CACHE_HOME: own },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()))
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
    const code = await withDeadline(new Promise<number | null>((resolve) => child.once('exit', resolve)), 120_000, 'hotcell bench --https')
    assert.equal(code, 0, stderr)
    const doc = JSON.parse(stdout) as {
      request: { scheme: string }
      runs: { target: string; stats: { requests: number; statuses: Record<string, number>; errors: number } }[]
    }
    assert.equal(doc.request.scheme, 'https')
    assert.deepEqual(doc.runs.map((run) => run.target).sort(), ['A', 'baseline'])
    for (const run of doc.runs) {
      assert.ok(run.stats.requests > 0, run.target)
      assert.deepEqual(run.stats.statuses, { 200: run.stats.requests }, run.target)
      assert.equal(run.stats.errors, 0, run.target)
    }
    // The servers were TLS ones: they made (and share) the --https certificate.
    assert.ok(existsSync(join(own, 'hotcell', DEV_CERTIFICATE_FILE)))
  })
})
