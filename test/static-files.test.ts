// --static: traversal, encodings, the deny list and symlinks, over raw sockets
// with byte-exact targets; plus ETag/304/Range from the library. No secret
// byte may ever come back, and refused paths never reach the handler.
import assert from 'node:assert/strict'
import { symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { serve, type HotcellServer } from '../src/index.js'
import { fixture, projectDir, request } from './helpers.js'
import { checkCase, exchange } from './raw-http.js'

const quiet = !process.env.DEBUG_HOTCELL
const SECRET = 'TOPSECRET'

describe('--static', () => {
  let server: HotcellServer
  let project: ReturnType<typeof projectDir>
  const get = (target: string, extra = '') => `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\n${extra}Connection: close\r\n\r\n`

  before(async () => {
    project = projectDir({
      'secret.txt': SECRET,
      'public/a.txt': 'hello static',
      'public/index.html': '<h1>index</h1>',
      'public/sub/b.txt': 'b file',
      'public/pages/index.html': '<h1>pages</h1>',
      'public/100%.txt': 'percent file',
      'public/.env': SECRET,
      'public/.env.local': SECRET,
      'public/.ENV.production': SECRET,
      'public/server.pem': SECRET,
      'public/private.KEY': SECRET,
      'public/cert.crt': SECRET,
      'public/id.p12': SECRET,
      'public/id.pfx': SECRET,
      'public/ca.cer': SECRET,
      'public/ca.der': SECRET,
      'public/.npmrc': SECRET,
      'public/.yarnrc.yml': SECRET,
      'public/.git/config': SECRET,
      'public/sub/.git/HEAD': SECRET,
      'public/.hidden': SECRET,
      'public/.well-known/security.txt': 'contact: me',
    })
    const pub = join(project.dir, 'public')
    symlinkSync(join(project.dir, 'secret.txt'), join(pub, 'out.txt'))
    symlinkSync(project.dir, join(pub, 'up'))
    symlinkSync(join(pub, 'a.txt'), join(pub, 'inside.txt'))
    symlinkSync(join(pub, '.env'), join(pub, 'env-alias.txt'))
    server = await serve({ entry: fixture('counter.ts'), port: 0, workers: 1, quiet, static: pub })
  })
  after(async () => {
    await server.close()
    project.remove()
  })

  test('files are served before the handler, with ETag, Last-Modified, 304 and Range', async () => {
    await checkCase(server.url, 0, async () => {
      const res = await request(`${server.url}/a.txt`)
      assert.equal(res.status, 200)
      assert.equal(res.text, 'hello static')
      assert.ok(res.headers.etag && res.headers['last-modified'])
      assert.equal(res.headers['x-content-type-options'], 'nosniff')
      const again = await request(`${server.url}/a.txt`, { headers: { 'if-none-match': res.headers.etag } })
      assert.equal(again.status, 304)
      assert.equal(again.text, '')
      const since = await request(`${server.url}/a.txt`, { headers: { 'if-modified-since': res.headers['last-modified'] } })
      assert.equal(since.status, 304)
      const range = await request(`${server.url}/a.txt`, { headers: { range: 'bytes=6-11' } })
      assert.equal(range.status, 206)
      assert.equal(range.text, 'static')
      assert.equal(range.headers['content-range'], 'bytes 6-11/12')
      const head = await exchange(server.port, `HEAD /a.txt HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`)
      assert.equal(head.status, 200)
      assert.equal(head.body, '') // Past the end: 416 saying the size; a failed precondition: 412 (not the 404 of a missing file).
      const past = await request(`${server.url}/a.txt`, { headers: { range: 'bytes=200-' } })
      assert.equal(past.status, 416)
      assert.equal(past.headers['content-range'], 'bytes */12')
      const ifMatch = await request(`${server.url}/a.txt`, { headers: { 'if-match': '"nope"' } })
      assert.equal(ifMatch.status, 412)
      const unmodified = await request(`${server.url}/a.txt`, { headers: { 'if-unmodified-since': 'Mon, 01 Jan 2001 00:00:00 GMT' } })
      assert.equal(unmodified.status, 412)
    })
  })

  test('a folder serves its index.html; percent-encoded names are decoded once; symlinks inside the folder work', async () => {
    await checkCase(server.url, 0, async () => {
      assert.equal((await request(`${server.url}/`)).text, '<h1>index</h1>')
      assert.equal((await request(`${server.url}/100%25.txt`)).text, 'percent file')
      assert.equal((await request(`${server.url}/inside.txt`)).text, 'hello static')
      // Leaves through a symlink and comes back: the real path is inside, so it is served.
      assert.equal((await request(`${server.url}/up/public/a.txt`)).text, 'hello static')
      assert.equal((await request(`${server.url}/sub/b.txt`)).text, 'b file')
      assert.equal((await request(`${server.url}/.well-known/security.txt`)).text, 'contact: me')
    })
  })

  test('a folder with an index.html asked for without its slash is redirected to it, as send does (its relative links resolve there)', async () => {
    const bare = await request(`${server.url}/pages?tab=2`)
    assert.equal(bare.status, 301)
    assert.equal(bare.headers.location, '/pages/?tab=2')
    assert.equal((await request(`${server.url}/pages/`)).text, '<h1>pages</h1>')
    // A path that starts with '//' is redirected to this server, never to another host.
    const doubled = await request(`${server.url}//pages`)
    assert.equal(doubled.status, 301)
    assert.equal(doubled.headers.location, '/pages/')
    // A folder without one still goes to the handler.
    assert.notEqual((await request(`${server.url}/sub`)).status, 301)
  })

  test('missing files and non-GET methods go to the handler', async () => {
    await checkCase(server.url, 1, async () => {
      assert.equal((await request(`${server.url}/missing.txt`)).text, 'handler saw GET /missing.txt')
    })
    await checkCase(server.url, 1, async () => {
      assert.equal((await request(`${server.url}/a.txt`, { method: 'POST', body: 'x' })).text, 'handler saw POST /a.txt')
    })
  })

  const refused = [
    // the deny list, any case
    '/.env',
    '/.ENV',
    '/.env.local',
    '/.ENV.production',
    '/server.pem',
    '/private.KEY',
    '/private.key',
    '/cert.crt',
    '/id.p12',
    '/id.pfx',
    '/ca.cer',
    '/ca.der',
    '/.npmrc',
    '/.yarnrc.yml',
    '/.git/config',
    '/sub/.git/HEAD',
    '/.hidden',
    '/%2eenv',
    '/%2Eenv',
    // denied names that do not exist: same 404 (no existence oracle)
    '/.env.nothere',
    '/nothere.pem',
    '/.git/nothere',
    // canonicalisation tricks (Vite CVE-2025-46565, -32395, -62522)
    '/.env/.',
    '/a.txt/.',
    '/sub/./b.txt',
    '/./a.txt',
    // traversal
    '/../secret.txt',
    '/sub/../../secret.txt',
    '/%2e%2e/secret.txt',
    '/%2E%2E/%2e%2e/secret.txt',
    '/sub/..%2f..%2fsecret.txt',
    '/..%2fsecret.txt',
    '/..%5csecret.txt',
    '/..\\secret.txt',
    '/sub\\b.txt',
    '/sub%2fb.txt',
    '/sub%5Cb.txt',
    '/a.txt%00',
    '/a.txt%00.png',
    '/%c0%ae%c0%ae/secret.txt',
    '/%zz',
    // symlinks leaving the folder, or landing on a denied file
    '/out.txt',
    '/up/secret.txt',
    '/env-alias.txt',
  ]
  test(`${refused.length} refused paths: 404, same body, no secret, handler never reached`, async () => {
    let body: string | undefined
    for (const target of refused) {
      await checkCase(server.url, 0, async () => {
        const reply = await exchange(server.port, get(target))
        assert.equal(reply.status, 404, target)
        assert.ok(!reply.raw.includes(SECRET), `${target} leaked the secret`)
        body ??= reply.body
        assert.equal(reply.body, body, `${target}: a different 404 tells denied from missing`)
      })
    }
  })

  test('dot paths with no file behind them go to the handler (/.auth/login); secrets never do', async () => {
    for (const target of ['/.auth/login', '/api/.config', '/.netlify/functions/x']) {
      await checkCase(server.url, 1, async () => {
        assert.equal((await request(`${server.url}${target}`)).text, `handler saw GET ${target}`)
      })
    }
  })

  test('a double-encoded path is decoded once: "%252e%252e" is a name, not a traversal', async () => {
    await checkCase(server.url, 1, async () => {
      const reply = await exchange(server.port, get('/%252e%252e/secret.txt'))
      assert.equal(reply.status, 200)
      assert.match(reply.body, /handler saw/)
      assert.ok(!reply.raw.includes(SECRET))
    })
  })

  test('cross-site no-cors loads of static files are 403 with CORP; same-site ones are served', async () => {
    await checkCase(server.url, 0, async () => {
      const cross = await exchange(server.port, get('/a.txt', 'Sec-Fetch-Site: cross-site\r\nSec-Fetch-Mode: no-cors\r\nSec-Fetch-Dest: script\r\n'))
      assert.equal(cross.status, 403)
      assert.match(cross.head, /cross-origin-resource-policy: same-site/i)
      const sameSite = await exchange(server.port, get('/a.txt', 'Sec-Fetch-Site: same-site\r\nSec-Fetch-Mode: no-cors\r\n'))
      assert.equal(sameSite.status, 200)
      assert.match(sameSite.head, /cross-origin-resource-policy: same-site/i)
    })
  })
})
