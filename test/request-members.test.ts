// The request a fetch handler gets is built lazily in the worker and its
// Response is read without a stream when it can be (workers/lazy-request.ts,
// workers/fast-response.ts). Each member a handler can use, through a real
// server and a real worker.
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { connect } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { serve, type HotcellServer } from '../src/index.js'
import { fixture, request, waitFor } from './helpers.js'

let server: HotcellServer
let echo: Server
let echoPort: number
const seen: Array<{ method: string; url: string; token: string | undefined; body: string }> = []

before(async () => {
  server = await serve({ entry: fixture('request-members.ts'), port: 0, workers: 1, quiet: true })
  echo = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, token: req.headers['x-token'] as string | undefined, body: Buffer.concat(chunks).toString() })
      res.end('echoed')
    })
  })
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve))
  echoPort = (echo.address() as AddressInfo).port
})
after(async () => {
  await server.close()
  await new Promise((resolve) => echo.close(resolve))
})

const get = async (path: string, options: Parameters<typeof request>[1] = {}) => {
  const res = await request(`${server.url}${path}`, options)
  assert.equal(res.status, 200, res.text)
  return JSON.parse(res.text) as Record<string, unknown>
}

describe('the lazy Request', () => {
  test('a GET that carries a body: the fetch handler sees none, as natively, and clone() works', async () => {
    // Node's client frames a GET body only with a Content-Length given.
    const seen = await get('/basics', { body: 'ignored', headers: { 'content-type': 'text/plain', 'content-length': '7' } })
    assert.equal(seen.bodyNull, true)
    assert.equal(seen.text, '')
    const cloned = await get('/clone', { body: 'ignored', headers: { 'content-length': '7' } })
    assert.deepEqual([cloned.a, cloned.b], ['', ''])
  })

  test('url, method, headers, a null body, bodyUsed, instanceof, the defaults of a native Request', async () => {
    const seen = await get('/basics?q=1', { headers: { 'x-multi': ['a', 'b'], 'x-token': 't' } })
    assert.equal(seen.url, `${server.url}/basics?q=1`)
    assert.equal(seen.method, 'GET')
    assert.equal(seen.host, new URL(server.url).host)
    assert.equal(seen.multi, 'a, b')
    assert.ok((seen.names as string[]).includes('x-token'))
    assert.equal(seen.instance, true)
    assert.equal(seen.tag, '[object Request]')
    assert.equal(seen.bodyNull, true)
    assert.equal(seen.bodyUsed, false)
    assert.equal(seen.text, '')
    assert.equal(seen.usedAfterGetText, false, 'a GET has no body to use up')
    assert.deepEqual(seen.defaults, {
      cache: 'default',
      credentials: 'same-origin',
      destination: '',
      integrity: '',
      keepalive: false,
      mode: 'cors',
      redirect: 'follow',
      referrer: 'about:client',
      referrerPolicy: '',
    })
    assert.equal(seen.signalAborted, false)
    assert.equal(seen.signalInstance, true)
    assert.equal(seen.ip, '127.0.0.1', 'the client address, as request.ip')
  })

  test('a URL the parser would change is normalized, as a native Request has it', async () => {
    const res = await request(`${server.url}/x/../basics`)
    assert.equal(JSON.parse(res.text).url, `${server.url}/basics`)
  })

  test('text(): the body once; then bodyUsed, a second read rejects, clone() and new Request() throw', async () => {
    const seen = await get('/text', { method: 'POST', body: 'héllo' })
    assert.deepEqual(seen, { before: false, text: 'héllo', after: true, again: 'TypeError', cloneAfterUse: 'TypeError', constructAfterUse: 'TypeError' })
  })

  test('json(), and a SyntaxError for a body that is not JSON', async () => {
    assert.deepEqual((await get('/json', { method: 'POST', body: '{"a":[1,2]}' })).parsed, { a: [1, 2] })
    assert.equal((await get('/bad-json', { method: 'POST', body: '{nope' })).error, 'SyntaxError')
  })

  test('arrayBuffer() and blob() are byte-exact, blob() carries the content type', async () => {
    const body = Buffer.from([0, 255, 128, 10, 13, 0])
    assert.deepEqual((await get('/array-buffer', { method: 'POST', body })).bytes, [...body])
    const blob = await get('/blob', { method: 'POST', body, headers: { 'content-type': 'application/x-thing' } })
    assert.deepEqual(blob, { type: 'application/x-thing', size: 6, bytes: [...body] })
  })

  test('formData(): urlencoded and multipart', async () => {
    const encoded = await get('/form', { method: 'POST', body: 'a=1&a=2', headers: { 'content-type': 'application/x-www-form-urlencoded' } })
    assert.deepEqual(encoded, { a: ['1', '2'], file: null, used: true })
    const boundary = 'XyZ'
    const multipart = [
      `--${boundary}`,
      'Content-Disposition: form-data; name="a"',
      '',
      'one',
      `--${boundary}`,
      'Content-Disposition: form-data; name="file"; filename="f.txt"',
      'Content-Type: text/plain',
      '',
      'file text',
      `--${boundary}--`,
      '',
    ].join('\r\n')
    const parsed = await get('/form', { method: 'POST', body: multipart, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } })
    assert.deepEqual(parsed, { a: ['one'], file: 'file text', used: true })
  })

  test('body as a ReadableStream', async () => {
    const seen = await get('/stream', { method: 'PUT', body: Buffer.from([1, 2, 3, 250]) })
    assert.deepEqual(seen, { bytes: [1, 2, 3, 250], used: true })
  })

  test('clone(): both copies read the body', async () => {
    const seen = await get('/clone', { method: 'POST', body: 'twice', headers: { 'x-token': 'k' } })
    assert.deepEqual(seen, { a: 'twice', b: 'twice', copyInstance: true, copyUrl: `${server.url}/clone`, copyHeader: 'k' })
  })

  test('new Request(request), with and without changes', async () => {
    const seen = await get('/construct', { method: 'POST', body: 'moved', headers: { 'x-token': 'orig' } })
    assert.deepEqual(seen, {
      url: `${server.url}/construct`,
      method: 'POST',
      token: 'orig',
      body: 'moved',
      usedByIt: true,
      changedMethod: 'PUT',
      changedToken: 'changed',
      changedBody: 'replaced',
    })
  })

  test('fetch(request) sends it on, method, headers and body', async () => {
    const res = await request(`${server.url}/fetch-self?z=9`, { method: 'POST', body: 'payload', headers: { host: `127.0.0.1:${echoPort}`, 'x-token': 'fwd' } })
    assert.equal(res.status, 200, res.text)
    assert.equal(res.text, 'echoed')
    assert.deepEqual(seen.at(-1), { method: 'POST', url: '/fetch-self?z=9', token: 'fwd', body: 'payload' })
  })

  test('request.signal read only after the client left is already aborted', async () => {
    const { port } = new URL(server.url)
    const socket = connect(Number(port), '127.0.0.1')
    await new Promise<void>((resolve) => socket.once('connect', resolve))
    socket.write(`GET /signal-after-abort HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`)
    await new Promise((resolve) => setTimeout(resolve, 100))
    socket.destroy()
    const last = await waitFor(
      async () => {
        const value = (await get('/last-signal')).lastSignal as string
        return value === 'none' ? undefined : value
      },
      5000,
      'the handler to look at its signal',
    )
    assert.equal(last, 'true AbortError')
  })
})

describe('the fast Response', () => {
  test('status, ok, statusText, headers, text(), clone(), Response.json, redirect, error, instanceof, a native Response from fetch()', async () => {
    const seen = await get('/response-members')
    assert.deepEqual(seen, {
      status: 201,
      ok: true,
      statusText: 'Made',
      header: '1',
      type: 'text/plain;charset=UTF-8',
      text: 'body text',
      used: true,
      cloneText: 'body text',
      jsonStatus: 202,
      jsonType: 'application/json',
      json: { ok: 1 },
      nativeInstance: true,
      nativeText: 'native side',
      instance: true,
      tag: '[object Response]',
      bodyIsStream: true,
      redirect: 'http://example.com/',
      error: 'error',
      badStatus: 'RangeError',
    })
  })

  test('headers changed after construction are sent; a string body gets the default content type', async () => {
    const res = await request(`${server.url}/headers-after`)
    assert.equal(res.headers['x-later'], 'yes')
    assert.equal(res.headers['content-type'], 'text/plain;charset=UTF-8')
    assert.equal(res.headers['content-length'], '13')
    assert.equal(res.text, 'changed later')
  })

  test('headers given as pairs, an object and a Headers: repeated Set-Cookie kept apart', async () => {
    const array = await request(`${server.url}/header-forms?kind=array`)
    assert.deepEqual(array.headers['set-cookie'], ['c=1', 'd=2'])
    assert.equal(array.headers['x-one'], 'a')
    const object = await request(`${server.url}/header-forms?kind=object`)
    assert.equal(object.headers['x-upper'], 'v')
    assert.equal(object.headers['content-type'], 'text/html; charset=utf-8')
    const headers = await request(`${server.url}/header-forms?kind=headers`)
    assert.deepEqual(headers.headers['set-cookie'], ['e=3', 'f=4'])
    assert.equal(headers.text, '<p>forms</p>')
  })

  test('bytes, an ArrayBuffer, no body, and a large string body arrive exactly', async () => {
    const bytes = await request(`${server.url}/bytes-body`)
    assert.deepEqual([...bytes.body], [0, 255, 1, 254])
    assert.equal(bytes.headers['content-length'], '4')
    assert.deepEqual([...(await request(`${server.url}/buffer-body`)).body], [9, 8, 7])
    const empty = await request(`${server.url}/no-content`)
    assert.equal(empty.status, 204)
    assert.equal(empty.body.length, 0)
    const big = await request(`${server.url}/big-string`)
    assert.equal(big.text, 'x'.repeat(200_000))
    assert.equal(big.headers['content-length'], '200000')
  })

  test('an invalid header name fails the handler with the native TypeError', async () => {
    const res = await request(`${server.url}/bad-header`)
    assert.equal(res.status, 500)
    assert.match(res.text, /TypeError/)
  })

  test('a subclass of Response', async () => {
    assert.deepEqual(await get('/subclass'), { mine: true, response: true, text: 'from a subclass' })
  })
})
