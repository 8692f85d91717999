// A worker that terminate() does not end is noticed (pool/unstoppable-worker.ts).
// Node 24's runaway allocation loop past --max-memory is the case met in the
// wild (checked by hand: 504, then the server process ends and the supervisor
// starts a new one); here, a thread blocked in a synchronous child process,
// which terminate() cannot interrupt either, stands in for it on any Node.
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { test } from 'node:test'
import { Worker } from 'node:worker_threads'
import { whenUnstoppable } from '../src/pool/unstoppable-worker.js'
import { waitFor, withDeadline } from './helpers.js'

const worker = (code: string) => new Worker(code, { eval: true })

/** A child process of this one named `comm` (Linux: /proc). */
function hasChild(comm: string): boolean {
  for (const task of readdirSync(`/proc/${process.pid}/task`)) {
    const children = readFileSync(`/proc/${process.pid}/task/${task}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)
    for (const pid of children) {
      try {
        if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === comm) return true
      } catch {
        // Exited meanwhile.
      }
    }
  }
  return false
}

test('a terminated worker that does not exit is reported; one that exits is not', { skip: process.platform !== 'linux' && 'reads /proc' }, async () => {
  const blocked = worker(`require('node:child_process').execFileSync('sleep', ['3'])`)
  const idle = worker(`require('node:worker_threads').parentPort.postMessage('up'); setInterval(() => {}, 1000)`)
  await withDeadline(new Promise((resolve) => idle.once('message', resolve)), 10_000, 'the idle worker to start')
  // Terminated before it is inside execFileSync, it would simply stop.
  await waitFor(() => hasChild('sleep'), 10_000, 'the blocked worker to be inside execFileSync')
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
