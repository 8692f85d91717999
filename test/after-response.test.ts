// An error a Node (req, res) handler raises once its response was ended: a
// throw in the tick of res.end(), a rejection after an await, an error Express
// passes to the final callback (res.send twice, next(err) after res.send).
// The client keeps what the app sent, the access line says the status it got,
// and the terminal reports the error against its request with its .ts line,
// as "(request already answered)". Express's router calls the final callback
// in the tick of res.send() when another route is registered after the failing
// one, and on a later tick when it is the last: both orders are covered, on
// Express 5 and 4.
import assert from 'node:assert/strict'
import { cpSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { cleanup, projectDir, request, ROOT, startCli, waitFor, type CliRun } from './helpers.js'

const EXPRESS = (version: string) => `import express from 'express'
const app = express()
app.get('/async-after', async (_req, res) => {
  res.json({ saved: true })
  await new Promise((resolve) => setTimeout(resolve, 20))
  throw new Error('express ${version} route rejected after res.json') // ASYNC
})
const sendThenFail = (req: express.Request, res: express.Response, next: express.NextFunction) => {
  if (req.params.what === 'double') {
    res.send('first')
    res.send('second') // DOUBLE
    return
  }
  res.send('done')
  next(new Error(\`express ${version} next(err) after res.send at \${req.path}\`)) // NEXT
}
// A route after it: the final callback runs in the tick of res.send().
app.get('/early/:what', sendThenFail)
app.get('/other', (_req, res) => {
  res.send('other')
})
// The last route: the final callback runs on a later tick (setImmediate).
app.get('/last/:what', sendThenFail)
export default app
`

const RAW = `import type { IncomingMessage, ServerResponse } from 'node:http'
export default (req: IncomingMessage, res: ServerResponse) => {
  if (req.url === '/sync') {
    res.end('ended in the tick')
    throw new Error('raw handler threw in the tick of res.end') // SYNC
  }
  return answerThenFail(res)
}
async function answerThenFail(res: ServerResponse) {
  res.end('ended before the await')
  await new Promise((resolve) => setTimeout(resolve, 20))
  throw new Error('raw handler rejected after res.end') // ASYNC
}
`

const project = projectDir({ 'express5.ts': EXPRESS('5'), 'express4/app.ts': EXPRESS('4'), 'express4/package.json': '{ "type": "module" }', 'raw.ts': RAW })
cleanup(project.remove)
// Express 4 is installed as express-v4; here under its own name in a project of its own, as an app would have it.
cpSync(join(ROOT, 'node_modules/express-v4'), join(project.dir, 'express4/node_modules/express'), { recursive: true })

const lineOf = (source: string, mark: string) => source.split('\n').findIndex((line) => line.includes(`// ${mark}`)) + 1

/** The late report of `path` with `message`, waited for, and the access line saying `status`. */
async function reported(
  cli: CliRun,
  path: string,
  message: string,
  file: string,
  line: number,
  what = 'An error raised after the response was sent,',
): Promise<void> {
  const escaped = path.replace(/[/]/g, '\\/')
  const report = new RegExp(`${what} in code started by GET \\S+${escaped} \\(request already answered\\)[^\\n]*\\n(?:Error|Error \\[\\w+\\]): ${message}`)
  await waitFor(() => report.test(cli.output()), 10_000, `the late report of ${path}`)
  await waitFor(() => new RegExp(`GET ${escaped} \\d{3} `).test(cli.output()), 10_000, `the access line of ${path}`)
  const out = cli.output()
  assert.match(out, new RegExp(`GET ${escaped} 200 `), out)
  assert.match(out, new RegExp(`${file.replace(/[/.]/g, '\\$&')}:${line}:\\d+`), out)
  assert.doesNotMatch(out, new RegExp(`GET ${escaped} 5\\d\\d`), out)
}

for (const version of ['5', '4']) {
  const [cwd, entry] = version === '5' ? [project.dir, 'express5.ts'] : [join(project.dir, 'express4'), 'app.ts']
  const source = EXPRESS(version)
  describe(`Express ${version}: an error after the response was sent`, () => {
    let cli: CliRun
    before(async () => {
      cli = await startCli([entry, '--port', '0', '--workers', '1'], { cwd })
    })
    after(() => cli.stop())

    test('a rejection after res.json: the client keeps the JSON, the terminal reports it', async () => {
      const res = await request(`${cli.url}/async-after`)
      assert.equal(res.status, 200)
      assert.equal(res.text, '{"saved":true}')
      // Express 4 does not catch an async route's rejection: it is one nobody handled (which also tells that this is Express 4).
      const what = version === '5' ? undefined : 'A promise rejection nobody handled'
      await reported(cli, '/async-after', `express ${version} route rejected after res\\.json`, entry, lineOf(source, 'ASYNC'), what)
    })

    for (const order of ['early', 'last']) {
      test(`res.send twice (${order === 'early' ? 'a route after it' : 'the last route'}): 200 'first', ERR_HTTP_HEADERS_SENT reported`, async () => {
        const res = await request(`${cli.url}/${order}/double`)
        assert.equal(res.status, 200)
        assert.equal(res.text, 'first')
        await reported(cli, `/${order}/double`, 'Cannot set headers after they are sent to the client', entry, lineOf(source, 'DOUBLE'))
      })

      test(`next(err) after res.send (${order === 'early' ? 'a route after it' : 'the last route'}): 200 'done', the error reported`, async () => {
        const res = await request(`${cli.url}/${order}/next`)
        assert.equal(res.status, 200)
        assert.equal(res.text, 'done')
        await reported(cli, `/${order}/next`, `express ${version} next\\(err\\) after res\\.send at \\/${order}\\/next`, entry, lineOf(source, 'NEXT'))
      })
    }
  })
}

describe('Node (req, res) handler: an error after res.end()', () => {
  let cli: CliRun
  before(async () => {
    cli = await startCli(['raw.ts', '--port', '0', '--workers', '1'], { cwd: project.dir })
  })
  after(() => cli.stop())

  test('a throw in the tick of res.end(): the client gets what was ended, not a 500 page', async () => {
    const res = await request(`${cli.url}/sync`)
    assert.equal(res.status, 200)
    assert.equal(res.text, 'ended in the tick')
    await reported(cli, '/sync', 'raw handler threw in the tick of res\\.end', 'raw.ts', lineOf(RAW, 'SYNC'))
  })

  test('a rejection after an await: reported, not dropped', async () => {
    const res = await request(`${cli.url}/async`)
    assert.equal(res.status, 200)
    assert.equal(res.text, 'ended before the await')
    await reported(cli, '/async', 'raw handler rejected after res\\.end', 'raw.ts', lineOf(RAW, 'ASYNC'))
  })
})
