// Which worker of a generation gets a request while some are still importing.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { pickWorker, type WorkerLoad } from '../src/pool/worker-choice.js'

const worker = (id: number, currentUsage: number): WorkerLoad => ({ id, currentUsage, isRunningAbortableTask: false })
const readyOnly =
  (...ids: number[]) =>
  (id: number) =>
    ids.includes(id)

test('a ready worker is chosen over an idle one that is still importing', () => {
  assert.equal(pickWorker([worker(1, 0), worker(2, 3)], readyOnly(2), 256)?.id, 2)
})

test('among ready workers the least busy one is chosen', () => {
  assert.equal(pickWorker([worker(1, 5), worker(2, 2), worker(3, 0)], readyOnly(1, 2), 256)?.id, 2)
  assert.equal(pickWorker([worker(1, 5), worker(2, 0)], readyOnly(1, 2), 256)?.id, 2)
})

test('a worker still importing takes the task when every ready one is full', () => {
  assert.equal(pickWorker([worker(1, 4), worker(2, 1)], readyOnly(1), 4)?.id, 2)
})

test('no worker can take the task: null, and piscina queues it', () => {
  assert.equal(pickWorker([worker(1, 4), worker(2, 4)], readyOnly(1, 2), 4), null)
  assert.equal(pickWorker([], readyOnly(), 4), null)
})
