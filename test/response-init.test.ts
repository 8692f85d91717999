// What `new Response(body, init)` takes from its arguments, and when it
// refuses them, against Node's own Response: each case's code runs in a
// handler behind a real server and, in this process, with Node's classes;
// what the client receives must be what Node's Response holds.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { request, serveProject } from './helpers.js'

const CASES: Record<string, string> = {
  // Changed after construction: Node copied them, so the change is not sent.
  object: "const h = { 'x-a': '1' }; const r = new Response('sent', { headers: h }); h['x-a'] = '2'; h['x-b'] = 'added'; return r",
  pairs: "const h = [['x-a', '1']]; const r = new Response('sent', { headers: h }); h[0][1] = '2'; h.push(['x-b', 'added']); return r",
  headers: "const h = new Headers({ 'x-a': '1' }); const r = new Response('sent', { headers: h }); h.set('x-a', '2'); h.set('x-b', 'added'); return r",
  init: "const init = { status: 201, headers: { 'x-a': '1' } }; const r = new Response('sent', init); init.status = 202; init.headers['x-a'] = '2'; return r",
  json: "const h = { 'x-a': '1' }; const r = Response.json({ ok: true }, { headers: h }); h['x-a'] = '2'; h['content-type'] = 'text/html'; return r",
  bytes: "const b = new TextEncoder().encode('sent'); const r = new Response(b); b[0] = 0x53; return r",
  arrayBuffer: "const b = new TextEncoder().encode('sent').buffer; const r = new Response(b); new Uint8Array(b)[0] = 0x53; return r",
  buffer: "const b = Buffer.from('sent'); const r = new Response(b, { headers: { 'content-type': 'text/plain' } }); b.write('SENT'); return r",
  // The response's own headers are not a copy: a change to them is sent.
  own: "const r = new Response('sent', { headers: { 'x-a': '1' } }); r.headers.set('x-b', 'added'); return r",
  // Refused in the constructor, where a try catches it; the handler then answers.
  caught:
    "const seen = []; for (const headers of [{ 'bad name': 'v' }, { 'x-a': 'a\\nb' }, [['x-a', 'caf\\u0100']], [['x-a', '1', '2']], [['x-a:', '1']], null]) {\n" +
    "  try { new Response('x', { headers }); seen.push('accepted') } catch (e) { seen.push((e instanceof TypeError) + ' ' + e.name + ': ' + e.message) }\n" +
    "}\n  return Response.json(seen, { headers: { 'x-a': ' trimmed\\t' } })",
  thrown: "return new Response('x', { headers: { 'x-a': 'one\\r\\ntwo' } })",
}

const app =
  `const CASES: Record<string, string> = ${JSON.stringify(CASES)}\n` +
  'const made = Object.fromEntries(Object.entries(CASES).map(([name, code]) => [name, new Function(code)]))\n' +
  'export default { fetch: (request: Request) => made[new URL(request.url).pathname.slice(1)]() }\n'

/** content-type and x-* headers, sorted: what these cases set. */
const theirs = (entries: Iterable<[string, unknown]>) =>
  [...entries].filter(([name]) => name === 'content-type' || name.startsWith('x-')).sort(([a], [b]) => (a < b ? -1 : 1))

describe("new Response's arguments, as Node's Response takes them", async () => {
  const { server } = await serveProject({ 'app.ts': app })

  for (const [name, code] of Object.entries(CASES)) {
    test(name, async () => {
      const reply = await request(`${server.url}/${name}`)
      let native: Response
      try {
        native = new Function(code)() as Response
      } catch (error) {
        assert.equal(reply.status, 500)
        assert.ok(reply.text.includes((error as Error).message), reply.text)
        return
      }
      assert.deepEqual(
        { status: reply.status, headers: theirs(Object.entries(reply.headers)), body: reply.text },
        { status: native.status, headers: theirs(native.headers), body: await native.text() },
      )
    })
  }

  test('a refused header throws a TypeError with Node’s message', async () => {
    assert.deepEqual(JSON.parse((await request(`${server.url}/caught`)).text), [
      'true TypeError: Headers.append: "bad name" is an invalid header name.',
      'true TypeError: Headers.append: "a\nb" is an invalid header value.',
      'true TypeError: Cannot convert argument to a ByteString because the character at index 3 has a value of 256 which is greater than 255.',
      'true TypeError: Headers constructor: expected name/value pair to be length 2, found 3.',
      'true TypeError: Headers.append: "x-a:" is an invalid header name.',
      'true TypeError: Headers constructor: Argument 1 could not be converted to one of: sequence<sequence<ByteString>>, record<ByteString, ByteString>.',
    ])
  })
})
