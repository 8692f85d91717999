// hotcell bench on an endpoint whose body does not end (server-sent events, a
// long poll): the correctness check says the head came and the body went on,
// gives a verdict that says why no limit would do (not "raise --timeout"), and
// that verdict is the last line, after what the server reports as it stops.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { projectDir, runCli } from './helpers.js'

const project = projectDir({
  'app.ts': `export default {
  fetch(request: Request): Response {
    const type = new URL(request.url).pathname === '/events' ? 'text/event-stream' : 'text/plain'
    let timer: ReturnType<typeof setInterval> | undefined
    const body = new ReadableStream({
      start(controller) {
        timer = setInterval(() => controller.enqueue(new TextEncoder().encode('data: tick\\n\\n')), 100)
      },
      cancel() {
        clearInterval(timer)
      },
    })
    return new Response(body, { headers: { 'content-type': type } })
  },
}
`,
})
after(() => project.remove())
const entry = join(project.dir, 'app.ts')
const lines = (text: string) => text.split('\n').filter((line) => line.trim() !== '')

describe('hotcell bench on a body that does not end', () => {
  it('text/event-stream: a verdict within seconds that it streams, not advice to raise --timeout, as the last line', async () => {
    const { code, stdout, stderr } = await runCli(['bench', entry, '--path', '/events', '-d', '1s', '-c', '1', '-w', '1', '-g', 'undici'])
    assert.equal(code, 1, stderr)
    assert.equal(stdout, '')
    const last = lines(stderr).at(-1)!
    assert.match(
      last,
      /^hotcell bench: A \(.*app\.ts\), 1 worker: GET \/events answered 200 \(text\/event-stream\) and its body was still streaming after 2(\.\d)? s: the bench times whole responses, .* Bench a path that ends\.$/,
    )
    assert.doesNotMatch(stderr, /--timeout/)
  })

  it('another body that drips on: the verdict at the check limit says the head came and the body went on', async () => {
    const { code, stderr } = await runCli(['bench', entry, '--path', '/drip', '-d', '1s', '-c', '1', '-w', '1', '-g', 'undici', '--timeout', '3s'])
    assert.equal(code, 1, stderr)
    const out = lines(stderr)
    // Past 2 s the check says what it waits for: the head came.
    assert.ok(
      out.some((line) => /waiting for the end of its body: 200 text\/plain came, then the body went on, limit 3 s\)$/.test(line)),
      stderr,
    )
    assert.match(out.at(-1)!, /GET \/drip answered 200 \(text\/plain\) and its body was still streaming after 8(\.\d)? s: .* Bench a path that ends\.$/)
  })
})
