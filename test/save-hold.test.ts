// Requests that arrive once a save is seen wait for its reload (src/reload/save-hold.ts):
// each request here is sent from the moment the server reports the save's
// trigger, before its build has run, so without the hold the old code would
// answer it.
import assert from 'node:assert/strict'
import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { describe, test } from 'node:test'
import type { HotcellServer } from '../src/index.js'
import { RELOAD_CHANNEL } from '../src/reload/trace.js'
import { cleanup, request, withDeadline, type Reply } from './helpers.js'
import { nextReload, start } from './reload-helpers.js'

/** Write with `save`, and send GET `url` as soon as the server has seen the write: resolves with that request's reply. */
function requestOnTrigger(server: HotcellServer, save: () => void): Promise<Reply> {
  const sent = new Promise<Reply>((resolve) => {
    const onPhase = (message: unknown) => {
      if ((message as { phase: string }).phase !== 'trigger') return
      unsubscribe(RELOAD_CHANNEL, onPhase)
      resolve(request(server.url))
    }
    subscribe(RELOAD_CHANNEL, onPhase)
    cleanup(() => unsubscribe(RELOAD_CHANNEL, onPhase))
  })
  save()
  return withDeadline(sent, 10_000, 'the save to be seen')
}

describe('requests wait for the reload of a save they come after', () => {
  test('a request sent once a save is seen gets the saved code, save after save', async () => {
    const { project, server } = await start({ 'app.ts': `export default { fetch: () => new Response('v0') }\n` })
    assert.equal((await request(server.url)).text, 'v0')
    for (let v = 1; v <= 3; v++) {
      const reloaded = nextReload(server)
      const reply = await requestOnTrigger(server, () => project.write('app.ts', `export default { fetch: () => new Response('v${v}') }\n`))
      assert.equal(reply.status, 200)
      assert.equal(reply.text, `v${v}`, `the request after save ${v}`)
      await reloaded
    }
  })

  test('a save that breaks the build: the request after it gets the build error, and the fix is what the next one gets', async () => {
    const { project, server } = await start({ 'app.ts': `export default { fetch: () => new Response('good') }\n` })
    assert.equal((await request(server.url)).text, 'good')
    const broken = await requestOnTrigger(server, () => project.write('app.ts', `export default { fetch: () => new Response('bad' }\n`))
    assert.equal(broken.status, 500)
    assert.match(broken.text, /app\.ts:1:\d+/)
    const fixed = await requestOnTrigger(server, () => project.write('app.ts', `export default { fetch: () => new Response('fixed') }\n`))
    assert.equal(fixed.status, 200)
    assert.equal(fixed.text, 'fixed')
  })

  test('a reload that takes long does not hold requests: the old code answers them meanwhile', async () => {
    const { project, server } = await start({ 'app.ts': `export default { fetch: () => new Response('old') }\n` })
    assert.equal((await request(server.url)).text, 'old')
    let reloadedYet = false
    const reloaded = nextReload(server).then((info) => {
      reloadedYet = true
      return info
    })
    // The new code's import takes 3 s: far longer than a request is held.
    const reply = await requestOnTrigger(server, () =>
      project.write('app.ts', `await new Promise((r) => setTimeout(r, 3000))\nexport default { fetch: () => new Response('new') }\n`),
    )
    assert.equal(reply.status, 200)
    assert.equal(reply.text, 'old')
    assert.equal(reloadedYet, false, 'answered while the new code was still importing')
    assert.equal((await reloaded).ok, true)
    assert.equal((await request(server.url)).text, 'new')
  })
})
