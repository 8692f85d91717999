// An error's own properties (pg's `detail`, Prisma's `meta`) and a thrown
// object's values, as Node's crash printout shows them: in the terminal, on
// the text page and on the browser page, bounded however big the value is.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { toErrorData } from '../workers/error-data.js'
import { projectDir, request, startCli, waitFor, type CliRun } from './helpers.js'

const APP = `
class DbError extends Error {
  constructor(message: string, public meta: unknown) { super(message) }
}
export default {
  fetch(request: Request) {
    const path = new URL(request.url).pathname
    if (path === '/pg') {
      throw Object.assign(new Error('duplicate key value violates unique constraint "users_email_key"'), {
        code: '23505',
        detail: 'Key (email)=(ann@example.com) already exists.',
        table: 'users',
      })
    }
    if (path === '/caused') {
      const cause = Object.assign(new Error('pool <main> exhausted'), { code: 'EPOOL' })
      throw Object.assign(new Error('relation "users" does not exist', { cause }), { code: '42P01' })
    }
    if (path === '/meta') throw new DbError('the query failed', { target: ['email'] })
    if (path === '/object') throw { status: 404, message: 'user 17 not found' }
    if (path === '/huge') {
      const huge: Record<string, unknown> = { big: 'x'.repeat(1_000_000), '<img src=x>': 'a key that is HTML' }
      huge.self = huge
      for (let i = 0; i < 100; i++) huge['k' + i] = i
      throw Object.assign(new Error('huge'), huge)
    }
    if (path === '/getter') {
      const error = new Error('with a getter')
      Object.defineProperty(error, 'lazy', { enumerable: true, get: () => { throw new Error(['the getter', 'ran'].join(' ')) } })
      throw error
    }
    return new Response('ok')
  },
}
`

describe('own properties of what was thrown', () => {
  let cli: CliRun
  const project = projectDir({ 'app.ts': APP })
  before(async () => {
    cli = await startCli(['app.ts', '--port', '0', '--workers', '1'], { cwd: project.dir })
  })
  after(async () => {
    await cli?.stop()
    project.remove()
  })

  test('a pg-style error: detail and table under the message, on the text page, in the terminal and on the browser page', async () => {
    const page = await request(`${cli.url}/pg`)
    assert.equal(page.status, 500)
    const block =
      `Error: duplicate key value violates unique constraint "users_email_key" [23505]\n` +
      `  detail: 'Key (email)=(ann@example.com) already exists.'\n` +
      `  table: 'users'\n` +
      `    at Object.fetch (app.ts:`
    assert.ok(page.text.includes(block), page.text)
    await waitFor(() => cli.output().includes(block), 10_000, 'the report in the terminal')
    const html = await request(`${cli.url}/pg`, { headers: { accept: 'text/html' } })
    // A row of the page's Properties card, not the code frame's source line.
    assert.match(html.text, /table-key">detail<\/td>\s*<td class="table-value">\s*'Key \(email\)=\(ann@example\.com\) already exists\.'/)
    assert.match(html.text, /table-key">table<\/td>\s*<td class="table-value">\s*'users'/)
  })

  test('the browser page heads the error with its code, and shows its cause as text with mapped frames, not a collapsed object', async () => {
    const html = (await request(`${cli.url}/caused`, { headers: { accept: 'text/html' } })).text
    assert.match(html, /relation &quot;users&quot; does not exist \[42P01\]/)
    const card = /<h3 class="card-title">Error Cause<\/h3>[\s\S]*?<pre class="hotcell-cause">([\s\S]*?)<\/pre>/.exec(html)
    assert.ok(card, 'no cause card')
    assert.match(card[1]!, /^Caused by: Error: pool &#60;main&#62; exhausted \[EPOOL\]\n {4}at Object\.fetch \(app\.ts:\d+:\d+\)/)
    // Youch's own card dumped it as an object, collapsed.
    assert.doesNotMatch(html, /id="error-cause"/)
  })

  test("a custom error class's field and a thrown plain object's values", async () => {
    assert.match((await request(`${cli.url}/meta`)).text, /Error: the query failed\n {2}meta: \{ target: \[ 'email' \] \}\n/)
    const object = await request(`${cli.url}/object`)
    assert.match(object.text, /an object with keys status, message was thrown\n {2}status: 404\n {2}message: 'user 17 not found'\n/)
    await waitFor(() => cli.output().includes("  message: 'user 17 not found'"), 10_000, 'the values in the terminal')
  })

  test('a huge, circular value is cut short; its keys are escaped on the browser page', async () => {
    const page = await request(`${cli.url}/huge`)
    assert.equal(page.status, 500)
    assert.ok(page.text.length < 6000, `${page.text.length} characters`)
    assert.match(page.text, /\n {2}… \d+ more properties\n/)
    const html = await request(`${cli.url}/huge`, { headers: { accept: 'text/html' } })
    assert.ok(!html.text.includes('<img src=x>'), 'a key reached the page as HTML')
    assert.match(html.text, /table-key">&#34;&#60;img src=x&#62;&#34;<\/td>\s*<td class="table-value">\s*'a key that is HTML'/)
  })

  test('a getter is named, not run', async () => {
    const page = await request(`${cli.url}/getter`)
    assert.match(page.text, /Error: with a getter\n {2}lazy: \[Getter\]\n/)
    assert.doesNotMatch(page.text, /the getter ran/)
  })
})

describe('toErrorData', () => {
  test('properties cross as bounded text: values that cannot be cloned, and a huge object', () => {
    const error = Object.assign(new Error('odd values'), { fn: () => 1, sym: Symbol('s'), big: 10n, nested: { a: { b: { c: { d: 1 } } } } })
    const data = toErrorData(error)
    assert.deepEqual(data.properties, [
      { key: 'fn', value: '[Function: fn]' },
      { key: 'sym', value: 'Symbol(s)' },
      { key: 'big', value: '10n' },
      { key: 'nested', value: '{ a: { b: { c: [Object] } } }' },
    ])
    structuredClone(data)
    const huge = Object.assign(new Error('huge'), Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`k${i}`, 'v'.repeat(10_000)])))
    const bounded = toErrorData(huge)
    assert.ok(JSON.stringify(bounded).length < 5000, `${JSON.stringify(bounded).length} characters`)
    assert.ok(bounded.moreProperties! > 9000)
  })

  test('the fields an ErrorData carries are not repeated as properties', () => {
    const data = toErrorData(Object.assign(new AggregateError([new Error('inner')], 'outer', { cause: 'why' }), { code: 'E_X' }))
    assert.equal(data.code, 'E_X')
    assert.equal(data.properties, undefined)
  })
})
