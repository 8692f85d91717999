// Live reload over HTTP: which responses get the script, the SSE endpoint's
// guard, reload events, and shutdown with tabs still connected.
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { describe, test } from 'node:test'
import { PROCESS_TOKEN } from '../src/http/gate/same-origin.js'
import { cleanup, openStream, request, waitFor, withDeadline, serveProject } from './helpers.js'

const APP = `
import { existsSync, writeFileSync } from 'node:fs'
const html = (body: string, init: ResponseInit = {}) => new Response(body, { ...init, headers: { 'content-type': 'text/html; charset=utf-8', ...(init.headers as object) } })
export default {
  async fetch(request: Request) {
    const path = new URL(request.url).pathname
    if (path === '/') return html('<!doctype html><html><body><h1>héllo</h1></body></html>')
    if (path === '/fragment') return html('<li>one</li>')
    if (path === '/csp') return html('<!doctype html><html><body><h1>locked</h1></body></html>', { headers: { 'content-security-policy': "default-src 'none'" } })
    if (path === '/sandbox') return html('<p>sandboxed</p>', { headers: { 'content-security-policy': 'sandbox' } })
    if (path === '/meta-csp') return html('<!doctype html><html><head><meta http-equiv="content-security-policy" content="script-src \\'self\\'"></head><body>meta</body></html>')
    if (path === '/json') return Response.json({ body: '</body>' })
    if (path === '/gzip') return new Response(GZ, { headers: { 'content-type': 'text/html', 'content-encoding': 'gzip' } })
    if (path === '/throw') throw new Error('boom')
    if (path === '/held') {
      // Says it has begun, then answers once the test has created the file the query names.
      const flag = new URL(request.url).searchParams.get('until')!
      writeFileSync(flag + '.begun', '')
      while (!existsSync(flag)) await new Promise((r) => setTimeout(r, 10))
      return html('<!doctype html><html><body><h1>held</h1></body></html>')
    }
    if (path === '/stream') {
      const chunk = new TextEncoder().encode('<p>' + 'x'.repeat(40_000) + '</p>')
      let n = 0
      return html(new ReadableStream({ pull(c) { if (n++ < 3) c.enqueue(chunk); else c.close() } }) as unknown as string)
    }
    return new Response('not found', { status: 404 })
  },
}
const GZ = new Uint8Array([${[...gzipSync('<html><body>zipped</body></html>')].join(',')}])
`

async function start(options: { liveReload?: boolean } = {}) {
  return serveProject({ 'app.ts': APP }, options)
}

// What a browser sends opening a page in a tab.
const TAB = {
  'sec-fetch-dest': 'document',
  'sec-fetch-mode': 'navigate',
  'sec-fetch-site': 'none',
  accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
}
const WHOLE_PAGE = '<!doctype html><html><body><h1>héllo</h1></body></html>'

const SCRIPT = /<script>\(\(\)=>\{const s=new EventSource\("(\/__hotcell\/live-reload\?token=[\w-]+&v=\d+)"\)/

describe('live reload', () => {
  test('a whole HTML page gets the script before </body>, with the length fixed up', async () => {
    const { server } = await start()
    const reply = await request(server.url + '/', { headers: TAB })
    assert.equal(reply.status, 200)
    assert.equal(Number(reply.headers['content-length']), reply.body.byteLength)
    assert.match(reply.text, SCRIPT)
    assert.ok(reply.text.endsWith('</script></body></html>'), reply.text)
    assert.ok(reply.text.includes('<h1>héllo</h1>'))
  })

  test('a fragment opened in a tab gets the script at its end; fetched by a tool or a script it stays as it was', async () => {
    const { server } = await start()
    for (const headers of [TAB, { 'sec-fetch-dest': 'document' }, { accept: 'text/html,application/xhtml+xml' }] as Record<string, string>[]) {
      const tab = await request(server.url + '/fragment', { headers })
      assert.ok(tab.text.startsWith('<li>one</li><script>'), tab.text)
      assert.ok(tab.text.endsWith('</script>'), tab.text)
      assert.match(tab.text, SCRIPT)
      assert.equal(Number(tab.headers['content-length']), tab.body.byteLength)
    }
    assert.equal((await request(server.url + '/fragment')).text, '<li>one</li>')
    assert.equal((await request(server.url + '/fragment', { headers: { 'sec-fetch-dest': 'empty', accept: 'text/html' } })).text, '<li>one</li>')
  })

  test('only a browser navigation gets the script: tools, fetch() and scripts get the bytes the handler sent', async () => {
    const { server } = await start()
    const navigations: Record<string, string>[] = [
      TAB,
      { 'sec-fetch-dest': 'iframe', 'sec-fetch-mode': 'navigate', accept: 'text/html' },
      // A browser from before Sec-Fetch-Dest: the mode alone.
      { 'sec-fetch-mode': 'navigate', accept: 'text/html' },
      // A browser without Sec-Fetch-*: Accept names HTML.
      { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' },
    ]
    for (const headers of navigations) assert.match((await request(server.url + '/', { headers })).text, SCRIPT, JSON.stringify(headers))
    const others: Record<string, string>[] = [
      {}, // Python's urllib, a bare http.get()
      { accept: '*/*' }, // curl
      { accept: 'application/json' },
      { 'sec-fetch-mode': 'cors', accept: '*/*' }, // Node's fetch()
      { 'sec-fetch-mode': 'cors', 'sec-fetch-dest': 'empty', accept: 'text/html' }, // fetch() in a page
      { 'sec-fetch-mode': 'no-cors', 'sec-fetch-dest': 'document', accept: 'text/html' },
      { 'sec-fetch-dest': 'script', accept: 'text/html' },
    ]
    for (const headers of others) {
      const reply = await request(server.url + '/', { headers })
      assert.equal(reply.text, WHOLE_PAGE, JSON.stringify(headers))
      assert.equal(Number(reply.headers['content-length']), Buffer.byteLength(WHOLE_PAGE), JSON.stringify(headers))
    }
  })

  test("a page whose Content-Security-Policy forbids inline scripts gets a nonce for hotcell's script in its policy", async () => {
    const { server } = await start()
    const reply = await request(server.url + '/csp', { headers: { 'sec-fetch-dest': 'document' } })
    const nonce = /<script nonce="([^"]+)">/.exec(reply.text)?.[1]
    assert.ok(nonce, reply.text)
    assert.match(reply.text, /<script nonce="[^"]+">\(\(\)=>\{const s=new EventSource/)
    assert.equal(reply.headers['content-security-policy'], `default-src 'none'; script-src 'nonce-${nonce}'; connect-src 'self'`)
    assert.equal(Number(reply.headers['content-length']), reply.body.byteLength)
    // Each response gets a nonce of its own.
    const again = await request(server.url + '/csp', { headers: { 'sec-fetch-dest': 'document' } })
    assert.notEqual(/nonce="([^"]+)"/.exec(again.text)?.[1], nonce)
  })

  test('a page no nonce can open (a sandbox, a <meta> policy) is sent as it was', async () => {
    const { server } = await start()
    const sandbox = await request(server.url + '/sandbox', { headers: { 'sec-fetch-dest': 'document' } })
    assert.equal(sandbox.text, '<p>sandboxed</p>')
    assert.equal(sandbox.headers['content-security-policy'], 'sandbox')
    const meta = await request(server.url + '/meta-csp', { headers: { 'sec-fetch-dest': 'document' } })
    assert.doesNotMatch(meta.text, /EventSource/)
  })

  test('fragments for tools, JSON, compressed HTML and HEAD are sent untouched', async () => {
    const { server } = await start()
    assert.equal((await request(server.url + '/fragment')).text, '<li>one</li>')
    assert.equal((await request(server.url + '/json')).text, '{"body":"</body>"}')
    const zipped = await request(server.url + '/gzip')
    assert.equal(zipped.headers['content-encoding'], 'gzip')
    assert.equal(zipped.body.byteLength, Number(zipped.headers['content-length']))
    assert.equal(zipped.body[0], 0x1f) // still gzip: nothing was written into it
    // A fetch() from a page asks for data, not a document.
    assert.doesNotMatch((await request(server.url + '/', { headers: { 'sec-fetch-dest': 'empty' } })).text, SCRIPT)
    const head = await request(server.url + '/', { method: 'HEAD' })
    assert.equal(head.body.byteLength, 0)
  })

  test('a streamed HTML body gets the script after its last chunk', async () => {
    const { server } = await start()
    const reply = await request(server.url + '/stream', { headers: TAB })
    assert.equal(reply.headers['content-length'], undefined)
    assert.equal(reply.headers['transfer-encoding'], 'chunked')
    assert.ok(reply.text.startsWith('<p>x'))
    assert.match(reply.text.slice(-1000), SCRIPT)
    assert.equal(reply.text.split('<p>').length - 1, 3)
    const tool = await request(server.url + '/stream', { headers: { accept: '*/*' } })
    assert.doesNotMatch(tool.text, /EventSource/)
    assert.equal(tool.text.split('<p>').length - 1, 3)
  })

  test('error pages for browsers carry the script, plain-text ones do not', async () => {
    const { server } = await start()
    const page = await request(server.url + '/throw', { headers: { accept: 'text/html' } })
    assert.equal(page.status, 500)
    assert.match(page.text, SCRIPT)
    assert.equal(Number(page.headers['content-length']), page.body.byteLength)
    const plain = await request(server.url + '/throw')
    assert.equal(plain.status, 500)
    assert.doesNotMatch(plain.text, /EventSource/)
    // htmx and fetch() ask for HTML too, and htmx runs the scripts it swaps in: the page, without the script.
    const swapped = await request(server.url + '/throw', { headers: { accept: 'text/html', 'sec-fetch-mode': 'cors', 'sec-fetch-dest': 'empty' } })
    assert.equal(swapped.status, 500)
    assert.match(swapped.text, /<html/i)
    assert.doesNotMatch(swapped.text, /EventSource/)
  })

  test('the stream needs the token and the same origin; with both it gets a reload event per reload', async () => {
    const { server } = await start()
    const path = SCRIPT.exec((await request(server.url + '/', { headers: TAB })).text)![1]!
    const noToken = await request(server.url + '/__hotcell/live-reload')
    assert.equal(noToken.status, 403)
    const wrong = await request(server.url + path.replace(/token=[\w-]+/, 'token=' + 'A'.repeat(43)))
    assert.equal(wrong.status, 403)
    const foreign = await request(server.url + path, { headers: { origin: 'http://evil.example' } })
    assert.equal(foreign.status, 403)
    const crossSite = await request(server.url + path, { headers: { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'cors' } })
    assert.equal(crossSite.status, 403)

    const stream = await openStream(server, path, { 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'cors', accept: 'text/event-stream' })
    assert.equal(stream.res.statusCode, 200)
    assert.match(String(stream.res.headers['content-type']), /^text\/event-stream/)
    await waitFor(() => stream.text().includes('retry:'), 10_000, 'the stream preamble')
    assert.doesNotMatch(stream.text(), /event: reload/)
    const info = await withDeadline(server.reload(), 20_000, 'reload()')
    assert.equal(info.ok, true)
    await waitFor(() => stream.text().includes('event: reload'), 10_000, 'a reload event')
    // A page served before that reload, whose stream connects only now, is told at once.
    const late = await openStream(server, path)
    await waitFor(() => late.text().includes('event: reload'), 10_000, 'an immediate reload event for a stale page')
    // close() does not wait for open tabs: it ends their streams.
    await withDeadline(server.close(), 15_000, 'close() with open streams')
    await withDeadline(Promise.all([stream.ended, late.ended]), 5_000, 'the streams to end')
  })

  test('a page asked for before a reload and sent after it reloads as soon as its stream connects', async () => {
    const { server } = await start()
    // Outside the project: the app checks for this file while answering, so
    // in the project its creation would reload the open tabs (a file read per
    // request changed), racing the fresh stream below.
    const outside = mkdtempSync(join(tmpdir(), 'hotcell-held-'))
    cleanup(() => rmSync(outside, { recursive: true, force: true }))
    const flag = join(outside, 'answer-now')
    const held = request(`${server.url}/held?until=${encodeURIComponent(flag)}`, { headers: TAB })
    // The request is in the old generation's worker when the reload swaps generations.
    await waitFor(() => existsSync(flag + '.begun'), 10_000, 'the held request in its worker')
    const info = await withDeadline(server.reload(), 20_000, 'reload()')
    assert.equal(info.ok, true)
    writeFileSync(flag, '')
    const page = await withDeadline(held, 10_000, 'the held page')
    assert.match(page.text, /<h1>held<\/h1>/)
    const stream = await openStream(server, SCRIPT.exec(page.text)![1]!)
    await waitFor(() => stream.text().includes('event: reload'), 10_000, 'an immediate reload event: the page was made by the old code')
    // A page asked for after the reload is current: its stream waits for the next change.
    const fresh = await openStream(server, SCRIPT.exec((await request(server.url + '/', { headers: TAB })).text)![1]!)
    await waitFor(() => fresh.text().includes('retry:'), 10_000, 'the fresh stream preamble')
    assert.doesNotMatch(fresh.text(), /event: reload/)
    await withDeadline(server.close(), 15_000, 'close() with open streams')
  })

  test('liveReload: false sends pages as they are and has no stream', async () => {
    const { server } = await start({ liveReload: false })
    const reply = await request(server.url + '/', { headers: TAB })
    assert.equal(reply.text, WHOLE_PAGE)
    const page = await request(server.url + '/throw', { headers: TAB })
    assert.doesNotMatch(page.text, /EventSource/)
    const stream = await request(`${server.url}/__hotcell/live-reload?token=${PROCESS_TOKEN}`)
    assert.equal(stream.status, 404)
  })
})
