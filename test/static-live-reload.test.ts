// --static HTML files get the live-reload script a handler's page gets, and
// HEAD, 304 and Range stay true to the bytes a GET is sent; other files, and
// everything with liveReload: false, are sent by `send` as before.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { serve } from '../src/index.js'
import { cleanup, openStream, projectDir, request, waitFor, withDeadline } from './helpers.js'
import { exchange } from './raw-http.js'

const APP = `export default { fetch: (request: Request) => new Response('handler saw ' + new URL(request.url).pathname) }\n`
const PAGE = '<!doctype html><html><body><h1>static page</h1></body></html>'
const META_CSP = `<!doctype html><html><head><meta http-equiv="content-security-policy" content="script-src 'self'"></head><body>meta</body></html>`
const FILES = {
  'app.ts': APP,
  'public/page.html': PAGE,
  'public/docs/index.html': PAGE,
  'public/fragment.htm': '<h1>fragment</h1>',
  'public/meta.html': META_CSP,
  'public/style.css': 'body { color: red }',
}
// What a browser sends when a tab opens a page, and when a script fetch()es it.
const TAB = { 'sec-fetch-dest': 'document', accept: 'text/html' }
const FETCH = { 'sec-fetch-dest': 'empty', accept: '*/*' }
const SCRIPT = /<script>\(\(\)=>\{const s=new EventSource\("\/__hotcell\/live-reload\?token=[\w-]+&v=(\d+)"\)[^<]*<\/script>/

async function start(options: { liveReload?: boolean } = {}) {
  const project = projectDir(FILES)
  cleanup(project.remove)
  const server = await serve({
    entry: join(project.dir, 'app.ts'),
    port: 0,
    workers: 1,
    quiet: !process.env.DEBUG_HOTCELL,
    static: join(project.dir, 'public'),
    ...options,
  })
  cleanup(() => server.close())
  return { server, project }
}

describe('--static HTML and live reload', () => {
  test('a page opened in a tab gets the script before </body>, with its length, an ETag of its own and no ranges', async () => {
    const { server } = await start()
    for (const path of ['/page.html', '/docs/', '/docs/index.html']) {
      const reply = await request(server.url + path, { headers: TAB })
      assert.equal(reply.status, 200, path)
      assert.match(reply.text, SCRIPT, path)
      assert.equal(reply.text.replace(SCRIPT, ''), PAGE, `${path}: the file, with only the script added`)
      assert.ok(reply.text.indexOf('<script>') < reply.text.indexOf('</body>'), path)
      assert.equal(Number(reply.headers['content-length']), reply.body.byteLength, path)
      assert.match(String(reply.headers['content-type']), /^text\/html/)
      assert.equal(reply.headers['accept-ranges'], 'none')
      assert.equal(reply.headers['last-modified'], undefined, 'a date would let the page revalidate without its script changing')
      assert.equal(reply.headers['x-content-type-options'], 'nosniff')
      assert.ok(reply.headers.etag)
    }
    // A fragment opened in a tab gets it at its end, as from the handler.
    const fragment = await request(server.url + '/fragment.htm', { headers: TAB })
    assert.match(fragment.text, new RegExp(`^<h1>fragment</h1>${SCRIPT.source}$`))
  })

  test('HEAD answers the head GET gets; If-None-Match is 304 until a reload changes the script; Range is ignored', async () => {
    const { server } = await start()
    const page = await request(server.url + '/page.html', { headers: TAB })
    const etag = String(page.headers.etag)
    const head = await exchange(
      server.port,
      `HEAD /page.html HTTP/1.1\r\nHost: 127.0.0.1\r\nSec-Fetch-Dest: document\r\nAccept: text/html\r\nConnection: close\r\n\r\n`,
    )
    assert.equal(head.status, 200)
    assert.equal(head.body, '')
    assert.match(head.head, new RegExp(`^content-length: ${page.body.byteLength}\r?$`, 'im'))
    assert.ok(head.head.toLowerCase().includes(`etag: ${etag.toLowerCase()}`), head.head)

    const again = await request(server.url + '/page.html', { headers: { ...TAB, 'if-none-match': etag } })
    assert.equal(again.status, 304)
    assert.equal(again.text, '')
    assert.equal(again.headers.etag, etag)
    assert.equal((await request(server.url + '/page.html', { headers: { ...TAB, 'if-match': etag } })).status, 200)
    assert.equal((await request(server.url + '/page.html', { headers: { ...TAB, 'if-match': '"other"' } })).status, 412)
    // The file's own validators (send's) do not match the page with the script.
    const plain = await request(server.url + '/page.html', { headers: FETCH })
    const mixed = await request(server.url + '/page.html', {
      headers: { ...TAB, 'if-none-match': String(plain.headers.etag), 'if-modified-since': String(plain.headers['last-modified']) },
    })
    assert.equal(mixed.status, 200)
    assert.match(mixed.text, SCRIPT)

    // A range of the file is not a range of the page the tab gets: the whole page.
    const range = await request(server.url + '/page.html', { headers: { ...TAB, range: 'bytes=0-4' } })
    assert.equal(range.status, 200)
    assert.equal(range.text, page.text)
    assert.equal(range.headers['content-range'], undefined)

    // After a reload the script names the new version: the tab's revalidation gets the new page, not a 304.
    const info = await withDeadline(server.reload(), 20_000, 'reload()')
    assert.equal(info.ok, true)
    const after = await request(server.url + '/page.html', { headers: { ...TAB, 'if-none-match': etag } })
    assert.equal(after.status, 200)
    assert.notEqual(after.headers.etag, etag)
    assert.notEqual(SCRIPT.exec(after.text)![1], SCRIPT.exec(page.text)![1])
  })

  test('fetch() of a page, other files, and a page whose <meta> policy blocks the script are sent as they are, with ranges', async () => {
    const { server } = await start()
    const fetched = await request(server.url + '/page.html', { headers: FETCH })
    assert.equal(fetched.text, PAGE)
    assert.equal(fetched.headers['accept-ranges'], 'bytes')
    assert.ok(fetched.headers['last-modified'])
    const range = await request(server.url + '/page.html', { headers: { ...FETCH, range: 'bytes=0-8' } })
    assert.equal(range.status, 206)
    assert.equal(range.text, '<!doctype')
    const css = await request(server.url + '/style.css', { headers: TAB })
    assert.equal(css.text, 'body { color: red }')
    assert.equal(css.headers['accept-ranges'], 'bytes')
    const meta = await request(server.url + '/meta.html', { headers: TAB })
    assert.equal(meta.text, META_CSP)
    // Files the handler does not have still go to it.
    assert.equal((await request(server.url + '/missing.html', { headers: TAB })).text, 'handler saw /missing.html')
  })

  test('a save under the static folder reloads the open tabs, once for a burst, without a build', async () => {
    const { server, project } = await start()
    const page = await request(server.url + '/page.html', { headers: TAB })
    const path = /EventSource\("(\/__hotcell\/live-reload\?token=[\w-]+&v=\d+)"\)/.exec(page.text)![1]!
    const stream = await openStream(server, path)
    await waitFor(() => stream.text().includes('retry:'), 10_000, 'the stream preamble')
    let builds = 0
    server.on('reload', () => builds++)
    project.write('public/style.css', 'body { color: blue }')
    project.write('public/page.html', PAGE.replace('static page', 'edited page'))
    await waitFor(() => stream.text().includes('event: reload'), 10_000, 'a reload event')
    assert.equal((await request(server.url + '/style.css')).text, 'body { color: blue }')
    assert.equal(builds, 0, 'nothing was built')
    assert.equal(stream.text().match(/event: reload/g)?.length, 1, 'two saves together: one reload')
  })

  test('liveReload: false sends the files as they are', async () => {
    const { server } = await start({ liveReload: false })
    const page = await request(server.url + '/page.html', { headers: TAB })
    assert.equal(page.text, PAGE)
    assert.equal(page.headers['accept-ranges'], 'bytes')
    const range = await request(server.url + '/page.html', { headers: { ...TAB, range: 'bytes=0-8' } })
    assert.equal(range.status, 206)
  })
})
