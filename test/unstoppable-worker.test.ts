// A worker that terminate() does not end is noticed (pool/unstoppable-worker.ts).
// Node 24's runaway allocation loop past --max-memory is the case met in the
// wild (checked by hand: 504, then the server process ends and the supervisor
// starts a new one); here, a thread blocked in a synchronous child process,
// which terminate() cannot interrupt either, stands in for it on any Node.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Worker } from 'node:worker_threads'
import { whenUnstoppable } from '../src/pool/unstoppable-worker.js'
import { withDeadline } from './helpers.js'

const worker = (code: string) => new Worker(code, { eval: true })

test('a terminated worker that does not exit is reported; one that exits is not', async () => {
  const blocked = worker(`require('node:worker_threads').parentPort.postMessage('up'); require('node:child_process').execFileSync('sleep', ['3'])`)
  const idle = worker(`require('node:worker_threads').parentPort.postMessage('up'); setInterval(() => {}, 1000)`)
  await Promise.all([blocked, idle].map((w) => withDeadline(new Promise((resolve) => w.once('message', resolve)), 10_000, 'the worker to start')))
  const reported: string[] = []
  for (const [name, w] of [
    ['blocked', blocked],
    ['idle', idle],
  ] as const) {
    void w.terminate()
    whenUnstoppable(w, () => reported.push(name), 300)
  }
  await withDeadline(new Promise((resolve) => idle.once('exit', resolve)), 10_000, 'the idle worker to exit')
  await new Promise((resolve) => setTimeout(resolve, 600))
  assert.deepEqual(reported, ['blocked'])
  await withDeadline(new Promise((resolve) => blocked.once('exit', resolve)), 10_000, 'the blocked worker to exit once its child ends')
})
