// DNS-rebinding guard, request-target shapes, and the /__hotcell/ same-origin +
// token guard. Every case is followed by a health request (200), and cases
// that must be refused are checked not to have reached the handler.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { serve, type HotcellServer } from '../src/index.js'
import { PROCESS_TOKEN } from '../src/http/gate/same-origin.js'
import { fixture } from './helpers.js'
import { checkCase, exchange } from './raw-http.js'

const quiet = !process.env.DEBUG_HOTCELL
const get = (path: string, host: string | null, extra = '') =>
  `GET ${path} HTTP/1.1\r\n${host === null ? '' : `Host: ${host}\r\n`}${extra}Connection: close\r\n\r\n`

// The live-reload stream is a guarded endpoint: the guard runs before it streams.
const GUARDED = '/__hotcell/live-reload'

describe('Host allow-list (DNS rebinding), default configuration', () => {
  let server: HotcellServer
  before(async () => {
    server = await serve({ entry: fixture('counter.ts'), port: 0, workers: 1, quiet })
  })
  after(() => server.close())

  const refused = [
    'attacker.example',
    'attacker.example:3000',
    'localhost.attacker.example',
    'localhos',
    'foo.example.com:localhost',
    '[::z]',
    '255.255.255.256',
    'attacker.example.',
    '[example.com]',
  ]
  for (const host of refused) {
    test(`Host: ${host} → 403 naming --allowed-hosts, handler not reached`, async () => {
      await checkCase(server.url, 0, async () => {
        const reply = await exchange(server.port, get('/anything', host))
        assert.equal(reply.status, 403)
        assert.match(reply.body, /--allowed-hosts/)
        assert.match(reply.head, /\r\nconnection: close/i)
      })
    })
  }

  const allowed = () => [
    'localhost',
    `LOCALHOST:${server.port}`,
    'foo.localhost',
    'a.b.localhost:1',
    `127.0.0.1:${server.port}`,
    `[::1]:${server.port}`,
    '192.168.1.10',
    'localhost.',
  ]
  test('loopback names, *.localhost and IP literals pass to the handler', async () => {
    for (const host of allowed()) {
      await checkCase(server.url, 1, async () => {
        const reply = await exchange(server.port, get('/hello', host))
        assert.equal(reply.status, 200, `Host: ${host}`)
        assert.equal(reply.body, 'handler saw GET /hello')
      })
    }
  })

  const shapes: [string, string][] = [
    ['"#" in the target', get('/a#/../../etc/passwd', '127.0.0.1')],
    ['duplicate Host', 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: attacker.example\r\nConnection: close\r\n\r\n'],
    ['duplicate Host, both allowed', 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nhost: localhost\r\nConnection: close\r\n\r\n'],
    ['HTTP/1.0 without Host', 'GET /hello HTTP/1.0\r\n\r\n'],
    ['HTTP/0.9 request line', 'GET /hello\r\n\r\n'],
    ['empty Host', 'GET /hello HTTP/1.1\r\nHost: \r\nConnection: close\r\n\r\n'],
    ['absolute-form with a foreign authority', 'GET http://attacker.example/x HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n'],
    ['absolute-form with userinfo', 'GET http://localhost@attacker.example/x HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n'],
    ['"*" target with GET', 'GET * HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n'],
  ]
  for (const [name, bytes] of shapes) {
    test(`${name} → 400, handler not reached`, async () => {
      await checkCase(server.url, 0, async () => {
        assert.equal((await exchange(server.port, bytes)).status, 400)
      })
    })
  }

  test('absolute-form naming an allowed host reaches the handler; OPTIONS * is answered by hotcell', async () => {
    await checkCase(server.url, 1, async () => {
      const reply = await exchange(server.port, `GET http://localhost:${server.port}/abs HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`)
      assert.equal(reply.status, 200)
      assert.equal(reply.body, 'handler saw GET /abs')
    })
    await checkCase(server.url, 0, async () => {
      const reply = await exchange(server.port, 'OPTIONS * HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n')
      assert.equal(reply.status, 200)
      assert.match(reply.head, /\r\nallow: /i)
    })
  })

  test('no CORS headers are added, whatever the Origin', async () => {
    await checkCase(server.url, 1, async () => {
      const reply = await exchange(server.port, get('/hello', '127.0.0.1', 'Origin: https://evil.example\r\n'))
      assert.equal(reply.status, 200)
      assert.doesNotMatch(reply.head, /access-control-/i)
    })
  })

  test('/__hotcell/ paths never reach the handler: unknown ones are 404', async () => {
    for (const path of ['/__hotcell/nope', '/__hotcell', '/__hotcell/', '/__hotcell/live-reload/../x']) {
      await checkCase(server.url, 0, async () => {
        const reply = await exchange(server.port, get(path, '127.0.0.1'))
        assert.equal(reply.status, 404, path)
        assert.match(reply.head, /cross-origin-resource-policy: same-origin/i)
      })
    }
  })

  test('same-origin + token guard of /__hotcell/ endpoints: only same-origin requests with the token pass', async () => {
    const port = server.port
    const t = encodeURIComponent(PROCESS_TOKEN)
    const wrongSameLength = PROCESS_TOKEN.slice(0, -1) + (PROCESS_TOKEN.endsWith('A') ? 'B' : 'A')
    const matrix: [string, string, number][] = [
      ['no Origin, no Sec-Fetch (curl), token', get(`${GUARDED}?token=${t}`, `127.0.0.1:${port}`), 200],
      ['token in the x-hotcell-token header', get(GUARDED, `127.0.0.1:${port}`, `X-Hotcell-Token: ${PROCESS_TOKEN}\r\n`), 200],
      ['Sec-Fetch-Site: same-origin', get(`${GUARDED}?token=${t}`, `127.0.0.1:${port}`, 'Sec-Fetch-Site: same-origin\r\n'), 200],
      ['Sec-Fetch-Site: none (typed URL)', get(`${GUARDED}?token=${t}`, `127.0.0.1:${port}`, 'Sec-Fetch-Site: none\r\n'), 200],
      ['Origin = localhost alias of Host', get(`${GUARDED}?token=${t}`, `127.0.0.1:${port}`, `Origin: http://localhost:${port}\r\n`), 200],
      ['Sec-Fetch-Site: cross-site', get(`${GUARDED}?token=${t}`, `127.0.0.1:${port}`, 'Sec-Fetch-Site: cross-site\r\n'), 403],
      ['Sec-Fetch-Site: same-site (another localhost port)', get(`${GUARDED}?token=${t}`, `127.0.0.1:${port}`, 'Sec-Fetch-Site: same-site\r\n'), 403],
      ['foreign Origin without Sec-Fetch', get(`${GUARDED}?token=${t}`, `127.0.0.1:${port}`, 'Origin: http://evil.example\r\n'), 403],
      ['Origin: null', get(`${GUARDED}?token=${t}`, `127.0.0.1:${port}`, 'Origin: null\r\n'), 403],
      ['Origin on another port', get(`${GUARDED}?token=${t}`, `127.0.0.1:${port}`, `Origin: http://127.0.0.1:${port === 1 ? 2 : port - 1}\r\n`), 403],
      ['IP Origin of another machine', get(`${GUARDED}?token=${t}`, `127.0.0.1:${port}`, `Origin: http://192.168.1.10:${port}\r\n`), 403],
      ['no token', get(GUARDED, `127.0.0.1:${port}`), 403],
      ['empty token', get(`${GUARDED}?token=`, `127.0.0.1:${port}`), 403],
      ['wrong token, same length', get(`${GUARDED}?token=${encodeURIComponent(wrongSameLength)}`, `127.0.0.1:${port}`), 403],
      ['wrong token, one longer', get(`${GUARDED}?token=${t}A`, `127.0.0.1:${port}`), 403],
      [
        'cross-site no-cors load, even with the token',
        get(`${GUARDED}?token=${t}`, `127.0.0.1:${port}`, 'Sec-Fetch-Site: cross-site\r\nSec-Fetch-Mode: no-cors\r\nSec-Fetch-Dest: script\r\n'),
        403,
      ],
    ]
    for (const [name, bytes, status] of matrix) {
      await checkCase(server.url, 0, async () => {
        // A stream that passed the guard stays open: stop reading once its first event is in.
        const reply = await exchange(port, bytes, { until: (raw) => raw.includes('retry: 1000') })
        assert.equal(reply.status, status, name)
        assert.match(reply.head, /cross-origin-resource-policy: same-origin/i, name)
        if (status === 200) assert.match(reply.body, /retry: 1000/, name)
      })
    }
  })
})

describe('Host allow-list with --allowed-hosts', () => {
  let server: HotcellServer
  before(async () => {
    server = await serve({ entry: fixture('counter.ts'), port: 0, workers: 1, quiet, allowedHosts: ['.example.test', 'myapp.dev'] })
  })
  after(() => server.close())

  test('".example.test" allows the apex and subdomains; "myapp.dev" only itself; loopback still passes', async () => {
    const cases: [string, number][] = [
      ['example.test', 200],
      ['a.b.example.test:8080', 200],
      ['myapp.dev', 200],
      ['MyApp.Dev', 200],
      ['localhost', 200],
      ['sub.myapp.dev', 403],
      ['example.test.evil', 403],
      ['notexample.test', 403],
    ]
    for (const [host, status] of cases) {
      await checkCase(server.url, status === 200 ? 1 : 0, async () => {
        assert.equal((await exchange(server.port, get('/h', host))).status, status, `Host: ${host}`)
      })
    }
  })
})

describe('--allowed-hosts all', () => {
  test('turns the check off', async () => {
    const server = await serve({ entry: fixture('counter.ts'), port: 0, workers: 1, quiet, allowedHosts: 'all' })
    try {
      await checkCase(server.url, 1, async () => {
        assert.equal((await exchange(server.port, get('/h', 'attacker.example'))).status, 200)
      })
    } finally {
      await server.close()
    }
  })
})
