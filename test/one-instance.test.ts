// With default options the app has one module instance, as under every other
// dev server: concurrent writes to in-memory state are all seen by the next
// read. More workers are opt-in, and the banner then says state is per worker.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { serve } from '../src/index.js'
import { cleanup, fixture, request, startCli, waitFor } from './helpers.js'

const quiet = !process.env.DEBUG_HOTCELL

/** 8 concurrent writes (each held 300 ms, so they overlap), then a read of the count. */
async function writesSeen(url: string): Promise<number> {
  const writes = await Promise.all(Array.from({ length: 8 }, () => request(`${url}/slow?ms=300`)))
  for (const write of writes) assert.equal(write.status, 200)
  return (JSON.parse((await request(`${url}/count`)).text) as { seen: number }).seen
}

describe('one module instance by default', () => {
  test('8 concurrent writes, then a read: the read sees all 8', async () => {
    const server = await serve({ entry: fixture('counter.ts'), port: 0, quiet })
    cleanup(() => server.close())
    assert.equal(server.info.workers, 1)
    assert.equal(await writesSeen(server.url), 8)
  })

  test('with --workers 2 the same writes split between two module instances (what the default avoids)', async () => {
    const server = await serve({ entry: fixture('counter.ts'), port: 0, quiet, workers: 2 })
    cleanup(() => server.close())
    assert.ok((await writesSeen(server.url)) < 8)
  })

  test('the banner says module state is per worker only when there is more than one', async () => {
    const one = await startCli([fixture('counter.ts'), '-p', '0'])
    cleanup(() => one.stop())
    await waitFor(() => / 1 worker · first build/.test(one.output()), 10_000, 'the banner')
    assert.doesNotMatch(one.output(), /per worker/)
    const two = await startCli([fixture('counter.ts'), '-p', '0', '-w', '2'])
    cleanup(() => two.stop())
    await waitFor(() => /2 workers: module state is per worker/.test(two.output()), 10_000, 'the per-worker note in the banner')
  })
})
