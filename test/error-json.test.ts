// The failure page for clients that ask for JSON: the text page's facts as
// data (error chain with mapped frames, code, properties; a build's report),
// chosen by `accept`, with HTML still winning for browsers.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { request, serveProject } from './helpers.js'

const APP = `import { query } from './db'
export default {
  fetch(request: Request) {
    if (new URL(request.url).pathname === '/ok') return new Response('ok')
    return query()
  },
}
`
const DB = `export function query(): never {
  const cause = Object.assign(new Error('pool exhausted'), { code: 'EPOOL' })
  throw Object.assign(new Error('relation "users" does not exist', { cause }), { code: '42P01', detail: 'dropped' })
}
`

describe('the JSON failure page', () => {
  test('accept: application/json gets the error chain as data, frames mapped to the .ts sources', async () => {
    const { server } = await serveProject({ 'app.ts': APP, 'db.ts': DB }, { log: false })
    const reply = await request(`${server.url}/`, { headers: { accept: 'application/json' } })
    assert.equal(reply.status, 500)
    assert.equal(reply.headers['content-type'], 'application/json; charset=utf-8')
    const body = JSON.parse(reply.text)
    assert.equal(body.status, 500)
    assert.equal(body.title, 'The handler threw an error')
    assert.equal(body.error.name, 'Error')
    assert.equal(body.error.message, 'relation "users" does not exist')
    assert.equal(body.error.code, '42P01')
    assert.deepEqual(body.error.properties, { detail: "'dropped'" })
    assert.match(body.error.stack[0], /^at query \(\S*db\.ts:3:\d+\)$/)
    assert.match(body.error.stack[1], /^at Object\.fetch \(\S*app\.ts:5:\d+\)$/)
    assert.equal(body.error.cause.message, 'pool exhausted')
    assert.equal(body.error.cause.code, 'EPOOL')
    assert.match(body.error.cause.stack[0], /^at query \(\S*db\.ts:2:\d+\)$/)
    assert.match(body.location, /^\S*db\.ts:3:\d+$/)
    assert.match(body.codeFrame, /> 3 \| {3}throw Object\.assign/)
    assert.deepEqual(body.request, { method: 'GET', url: `${server.url}/` })
  })

  test('which page by accept: +json types get JSON, a browser (text/html beside JSON) HTML, */* text', async () => {
    const { server } = await serveProject({ 'app.ts': APP, 'db.ts': DB }, { log: false })
    const type = async (accept: string) => (await request(`${server.url}/`, { headers: { accept } })).headers['content-type']
    assert.equal(await type('application/problem+json'), 'application/json; charset=utf-8')
    assert.equal(await type('text/html,application/xhtml+xml,application/json;q=0.9'), 'text/html; charset=utf-8')
    assert.equal(await type('*/*'), 'text/plain; charset=utf-8')
    assert.equal((await request(`${server.url}/ok`, { headers: { accept: 'application/json' } })).text, 'ok')
  })

  test("a build error: esbuild's report, the error named once", async () => {
    const { server } = await serveProject({ 'app.ts': 'export default { fetch: () => new Response("hi") }\nexport const x = (\n' }, { log: false })
    const reply = await request(server.url, { headers: { accept: 'application/json' } })
    assert.equal(reply.status, 500)
    const body = JSON.parse(reply.text)
    assert.equal(body.title, 'Build failed')
    assert.match(body.report, /app\.ts:2:19:\n\s+2 │ export const x = \(\n/)
    assert.deepEqual(Object.keys(body.error), ['name', 'message'])
    assert.match(body.hint, /Fix the error and save/)
  })
})
