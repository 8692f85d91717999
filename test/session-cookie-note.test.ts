// With more than one worker, a session kept in memory lives in one worker:
// the terminal says so once, at the first response that sets such a cookie.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { cleanup, projectDir, request, startCli, waitFor } from './helpers.js'

// express-session's cookie, set by hand: the note goes by the cookie's name, as the middleware's default.
const APP = `import express from 'express'
const app = express()
app.post('/login', (req, res) => { res.cookie('connect.sid', 's:abc.sig', { httpOnly: true }).send('in') })
app.get('/', (req, res) => { res.send('home') })
export default app
`
const NOTE =
  /hotcell: POST \/login set the session cookie connect\.sid while 2 workers serve: a session kept in memory \(express-session's default MemoryStore, @fastify\/session's\) lives in one worker/

describe('a session cookie under more than one worker', () => {
  test('is named once, with what to do; one worker says nothing', async () => {
    const project = projectDir({ 'app.ts': APP })
    cleanup(project.remove)
    const two = await startCli(['app.ts', '--port', '0', '--workers', '2'], { cwd: project.dir })
    cleanup(() => two.stop())
    for (let i = 0; i < 3; i++) assert.equal((await request(`${two.url}/login`, { method: 'POST' })).text, 'in')
    await waitFor(() => NOTE.test(two.output()), 5_000, `the note\n${two.output()}`)
    assert.equal(two.output().match(new RegExp(NOTE.source, 'g'))?.length, 1)
    assert.match(two.output(), /Serve with --workers 1 \(the default\), or keep sessions in a store outside the process/)
    await two.stop()

    const one = await startCli(['app.ts', '--port', '0', '--workers', '1'], { cwd: project.dir })
    cleanup(() => one.stop())
    assert.equal((await request(`${one.url}/login`, { method: 'POST' })).text, 'in')
    // Its request line is out, and nothing about the session.
    await waitFor(() => /POST \/login 200/.test(one.output()), 5_000, `the request line\n${one.output()}`)
    assert.doesNotMatch(one.output(), /session cookie/)
  })
})
