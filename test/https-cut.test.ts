// A response hotcell cannot finish must look unfinished over HTTP/2 too: the
// stream is reset (RST_STREAM), never ended with END_STREAM, or the client
// takes a truncated body for a complete one. Over HTTP/1.1 the same cut
// closes the connection (covered by the streaming tests).
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { connect, constants } from 'node:http2'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import type { HotcellServer } from '../src/index.js'
import { DEV_CERTIFICATE_FILE } from '../src/http/tls/dev-certificate.js'
import { serveProject, withDeadline } from './helpers.js'

const cache = mkdtempSync(join(tmpdir(), 'hotcell-https-cut-cache-'))
process.env.XDG_CACHE_HOME = cache
after(() => rmSync(cache, { recursive: true, force: true }))

// Five lines, then the cut: /error fails the stream, /exit ends the worker's
// process, /endless streams until the reload's grace ends its worker.
const APP = `
export default {
  fetch(request: Request) {
    const path = new URL(request.url).pathname
    let n = 0
    return new Response(new ReadableStream({
      async pull(controller) {
        await new Promise((resolve) => setTimeout(resolve, 20))
        if (n === 5 && path === '/exit') process.exit(1)
        if (n === 5 && path === '/error') return controller.error(new Error('stream broke'))
        if (n === 5 && path === '/complete') return controller.close()
        controller.enqueue(new TextEncoder().encode(\`line \${++n}\\n\`))
      },
    }))
  },
}
`

interface Outcome {
  text: string
  /** 'end' came: the server ended the stream with END_STREAM. */
  ended: boolean
  rstCode: number | undefined
}

describe('HTTP/2: a response cut off partway', () => {
  let server: HotcellServer
  let ca: string
  before(async () => {
    ;({ server } = await serveProject({ 'app.ts': APP }, { https: true }))
    ca = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n/.exec(readFileSync(join(cache, 'hotcell', DEV_CERTIFICATE_FILE), 'utf8'))![0]
  })

  /** GET `path` over a fresh HTTP/2 session; `onLine` runs once, at the first body bytes. */
  const get = (path: string, onFirstBytes?: () => void) => {
    const session = connect(server.url, { ca })
    session.on('error', () => {})
    const outcome = new Promise<Outcome>((resolve) => {
      const stream = session.request({ ':path': path })
      let text = ''
      let ended = false
      stream.setEncoding('utf8')
      stream.on('data', (chunk: string) => {
        if (text === '') onFirstBytes?.()
        text += chunk
      })
      stream.on('end', () => (ended = true))
      // A reset stream reports ERR_HTTP2_STREAM_ERROR; 'close' follows with its code.
      stream.on('error', () => {})
      stream.on('close', () => resolve({ text, ended, rstCode: stream.rstCode }))
    })
    return withDeadline(outcome, 20_000, `HTTP/2 GET ${path}`).finally(() => session.close())
  }

  const assertReset = (outcome: Outcome) => {
    assert.match(outcome.text, /^line 1\n/, 'the body began')
    assert.equal(outcome.ended, false, `the truncated body was ended as if complete: ${JSON.stringify(outcome)}`)
    assert.equal(outcome.rstCode, constants.NGHTTP2_INTERNAL_ERROR)
  }

  test('a complete stream ends normally (the control case)', async () => {
    const outcome = await get('/complete')
    assert.deepEqual(outcome, { text: 'line 1\nline 2\nline 3\nline 4\nline 5\n', ended: true, rstCode: constants.NGHTTP2_NO_ERROR })
  })

  test('the response stream errors: the HTTP/2 stream is reset', async () => {
    assertReset(await get('/error'))
  })

  test('the worker exits mid-body: the HTTP/2 stream is reset', async () => {
    assertReset(await get('/exit'))
  })

  test("a body still streaming when a reload's grace ends: the HTTP/2 stream is reset", async () => {
    let reloaded: Promise<unknown> | undefined
    const outcome = await get('/endless', () => (reloaded = server.reload()))
    await reloaded
    assertReset(outcome)
  })
})
