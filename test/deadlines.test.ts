// The per-request deadlines of src/pool/deadlines.ts: one interval for all
// requests in flight instead of a timer each. A deadline never fires early,
// a removed one never fires, they fire oldest first, and the interval is
// gone once nothing is in flight. (The 504 itself, end to end, is in
// faults.test.ts.)
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Deadlines, type Expiring } from '../src/pool/deadlines.js'
import { withDeadline } from './helpers.js'

interface Entry extends Expiring {
  name: string
  addedAt: number
}
const entry = (name: string): Entry => ({ name, addedAt: 0, newer: undefined, older: undefined, due: -1 })
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length

test('each deadline fires once, oldest first, never before its time; a removed one never fires', async () => {
  const TIMEOUT_MS = 60
  const fired: { name: string; afterMs: number }[] = []
  let allFired: () => void
  const done = new Promise<void>((resolve) => (allFired = resolve))
  const list = new Deadlines<Entry>(TIMEOUT_MS, (e) => {
    fired.push({ name: e.name, afterMs: performance.now() - e.addedAt })
    if (fired.length === 3) allFired()
  })
  const before = timers()
  const add = (name: string) => {
    const e = entry(name)
    e.addedAt = performance.now()
    list.add(e)
    return e
  }
  add('a')
  const removed = add('removed')
  await sleep(10)
  add('b')
  list.remove(removed)
  list.remove(removed) // a second remove is a no-op
  await sleep(10)
  add('c')
  await withDeadline(done, 5_000, 'three deadlines to fire')
  assert.deepEqual(
    fired.map((f) => f.name),
    ['a', 'b', 'c'],
  )
  // By the event loop's clock, as a setTimeout: it is read once per turn, and
  // whole milliseconds, so allow it that (deadlines.ts).
  for (const f of fired) assert.ok(f.afterMs >= TIMEOUT_MS - 2, `${f.name} fired after ${f.afterMs.toFixed(1)} ms, before its ${TIMEOUT_MS} ms`)
  // Nothing in flight: the interval is cleared, so it keeps no process alive.
  assert.equal(timers(), before)
  // The removed one never fires, even after its time.
  await sleep(2 * TIMEOUT_MS)
  assert.deepEqual(
    fired.map((f) => f.name),
    ['a', 'b', 'c'],
  )
})

test('an entry removed before its time leaves no timer behind, and the list starts again on the next add', async () => {
  const fired: string[] = []
  const list = new Deadlines<Entry>(40, (e) => fired.push(e.name))
  const before = timers()
  const first = entry('first')
  list.add(first)
  assert.equal(timers(), before + 1)
  list.remove(first)
  // The interval notices the empty list at its next tick. Waited for by
  // turns of the loop, not with a timer, which would be counted.
  const until = performance.now() + 5_000
  while (timers() !== before) {
    assert.ok(performance.now() < until, 'the interval did not stop within 5 s')
    await new Promise((resolve) => setImmediate(resolve))
  }
  const second = entry('second')
  list.add(second)
  await withDeadline(
    (async () => {
      while (fired.length === 0) await sleep(5)
    })(),
    5_000,
    'the second entry to fire',
  )
  assert.deepEqual(fired, ['second'])
  assert.equal(second.due, -1)
})
