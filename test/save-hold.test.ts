// Requests that arrive once a save is seen wait for its reload (src/reload/save-hold.ts):
// each request here is sent from the moment the server reports the save's
// trigger, before its build has run, so without the hold the old code would
// answer it. Below, the hold itself: where requests go while a standby
// imports the save's bundle.
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { describe, test } from 'node:test'
import type { HotcellServer } from '../src/index.js'
import type { Target } from '../src/http/dispatch.js'
import type { Generation } from '../src/pool/generation.js'
import { SaveHold } from '../src/reload/save-hold.js'
import { RELOAD_CHANNEL } from '../src/reload/trace.js'
import { cleanup, request, waitFor, withDeadline, type Reply } from './helpers.js'
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

  test("a Node handler's reply to a held request goes at once, not after the app's work queued behind it", async () => {
    // The app answers, then queues work for after its turn that takes 1.5 s
    // and then leaves a mark. The reply to the request held for the reload
    // must be on its way before that work runs: the mark is not there yet
    // when the reply comes (it once waited for the end of the worker's turn).
    const mark = join(mkdtempSync(join(tmpdir(), 'hotcell-held-')), 'after-reply')
    cleanup(() => rmSync(dirname(mark), { recursive: true, force: true }))
    const app = (v: number) =>
      [
        `import { createServer } from 'node:http'`,
        `import { writeFileSync } from 'node:fs'`,
        `createServer((req, res) => {`,
        `  res.end('v${v}')`,
        `  if (${v} > 0) setImmediate(() => { const until = Date.now() + 1500; while (Date.now() < until); writeFileSync(${JSON.stringify(mark)}, 'ran') })`,
        `}).listen(3000)`,
      ].join('\n')
    const { project, server } = await start({ 'app.ts': app(0) })
    assert.equal((await request(server.url)).text, 'v0')
    const reloaded = nextReload(server)
    const reply = await requestOnTrigger(server, () => project.write('app.ts', app(1)))
    const markThen = existsSync(mark)
    assert.equal(reply.text, 'v1')
    assert.equal(markThen, false, "the reply came after the app's work queued behind it")
    await reloaded
    await waitFor(() => existsSync(mark), 10_000, "the app's queued work to run")
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

  test('a request the standby took early, whose import a newer save gives up, is served by what serves next', async () => {
    const { project, server } = await start({ 'app.ts': `export default { fetch: () => new Response('v0') }\n` })
    assert.equal((await request(server.url)).text, 'v0')
    const reloaded = nextReload(server, (info) => info.ok)
    // v1's import takes 1 s: the request sent at its save waits in v1's standby until v2 is saved and v1 given up.
    const reply = requestOnTrigger(server, () =>
      project.write('app.ts', `await new Promise((r) => setTimeout(r, 1000))\nexport default { fetch: () => new Response('v1') }\n`),
    )
    await new Promise((resolve) => setTimeout(resolve, 60))
    project.write('app.ts', `export default { fetch: () => new Response('v2') }\n`)
    const { status, text } = await reply
    // Given back unbegun, it goes where requests go then: v2 once it serves, or v0 if the hold ran out first; never a 502.
    assert.equal(status, 200, text)
    assert.ok(text === 'v2' || text === 'v0', text)
    await reloaded
    assert.equal((await request(server.url)).text, 'v2')
  })

  test('a reload that takes long does not hold requests: the old code answers them meanwhile', async () => {
    const { project, server } = await start({ 'app.ts': `export default { fetch: () => new Response('old') }\n` })
    assert.equal((await request(server.url)).text, 'old')
    let reloadedYet = false
    const reloaded = nextReload(server).then((info) => {
      reloadedYet = true
      return info
    })
    // The new code's import takes 3 s: far longer than a request is held. The
    // request goes to its standby as soon as it has the bundle, which gives
    // it back unbegun once it has waited as long as a request is held.
    const reply = await requestOnTrigger(server, () =>
      project.write(
        'app.ts',
        `await new Promise((r) => setTimeout(r, 3000))\nlet served = 0\nexport default { fetch: () => new Response('new ' + ++served) }\n`,
      ),
    )
    assert.equal(reply.status, 200)
    assert.equal(reply.text, 'old')
    assert.equal(reloadedYet, false, 'answered while the new code was still importing')
    assert.equal((await reloaded).ok, true)
    // The request given back was not run by the new code as well.
    assert.equal((await request(server.url)).text, 'new 1')
  })
})

describe('the hold sends requests without a body to the standby importing the save', () => {
  // Stand-ins: the hold only hands these around, and asks the standby to give back what it has not begun.
  const serving = { kind: 'generation', generation: { name: 'old' } } as unknown as Target
  const standby = () => {
    const generation = { name: 'standby', takenBack: 0, takeBack: () => generation.takenBack++ }
    return generation
  }
  const settle = () => new Promise<void>(() => {})

  test('held ones go at once, later ones too; one with a body waits for the swap', async () => {
    const hold = new SaveHold(() => serving, 60_000)
    hold.begin(settle)
    const heldBodyless = hold.target(true)
    const heldWithBody = hold.target(false)
    assert.ok(heldBodyless instanceof Promise && heldWithBody instanceof Promise)
    const next = standby()
    hold.early(next as unknown as Generation, () => true)
    assert.equal(((await withDeadline(heldBodyless, 5_000, 'the held request to go')) as { generation: unknown }).generation, next)
    assert.equal((hold.target(true) as { generation: unknown }).generation, next)
    assert.ok(hold.target(false) instanceof Promise, 'a request with a body still waits')
    hold.end()
    assert.equal(await withDeadline(heldWithBody, 5_000, 'the request with a body to go'), serving)
    assert.equal(hold.target(true), serving)
    assert.equal(next.takenBack, 0, 'swapped in: nothing is taken back')
  })

  test('a save since: later requests wait for its reload, not the standby of the one before', async () => {
    let fresh = true
    const hold = new SaveHold(() => serving, 60_000)
    hold.begin(settle)
    hold.early(standby() as unknown as Generation, () => fresh)
    fresh = false
    const later = hold.target(true)
    assert.ok(later instanceof Promise)
    hold.end()
    assert.equal(await withDeadline(later, 5_000, 'the later request to go'), serving)
  })

  test('an import that outlasts the hold gives back what its standby has not begun', async () => {
    const hold = new SaveHold(() => serving, 20)
    hold.begin(settle)
    const next = standby()
    hold.early(next as unknown as Generation, () => true)
    await waitFor(() => next.takenBack === 1, 5_000, 'the hold to expire')
    // Asked again after the take-back, a request goes to what serves.
    assert.equal(hold.target(true), serving)
  })

  test('no hold under way (the start, or none begun): early() sends nothing there', () => {
    const hold = new SaveHold(() => serving, 60_000)
    hold.early(standby() as unknown as Generation, () => true)
    assert.equal(hold.target(true), serving)
  })
})
