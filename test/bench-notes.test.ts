// The notes under hotcell bench's tables: "the machine was busy" only when
// other processes use the CPU now (not for the load a bench that just ended
// left in the load average), and a scaling table on few cores says that the
// workers share them with the main thread and the load generator.
import assert from 'node:assert/strict'
import { Worker } from 'node:worker_threads'
import { describe, test } from 'node:test'
import { coresInUse, type BenchDocument, type Machine } from '../src/bench-command/document.js'
import { renderText } from '../src/bench-command/report.js'

function doc(machine: Partial<Machine>, workers: number[]): BenchDocument {
  return {
    tool: 'hotcell bench',
    version: '0.0.0',
    date: '2026-01-02T03:04:05.000Z',
    machine: { cpu: 'test cpu', cores: 2, node: 'v20.19.0', os: 'linux', loadAverage: 0, coresInUse: 0, ...machine },
    generator: { name: 'wrk', version: '4.1.0', where: 'on this machine' },
    request: { method: 'GET', path: '/', headers: [], bodyBytes: 0, scheme: 'http' },
    settings: { connections: 50, durationMs: 3000, warmupMs: 1000, rounds: 1, workers, expectStatus: null, timeoutMs: 30_000 },
    checks: [],
    runs: [],
    results: [],
    scaling:
      workers.length > 1
        ? { A: workers.map((w, i) => ({ workers: w, reqPerSec: 10_000 * (1 - i * 0.24), speedup: 1 - i * 0.24, efficiency: (1 - i * 0.24) / w })), B: null }
        : null,
    compare: null,
    baseline: null,
    failures: 0,
  }
}

describe('hotcell bench notes', () => {
  test('a load average left by the previous run is not "busy"; cores in use now are', () => {
    const after = renderText(doc({ loadAverage: 3.4, coresInUse: 0.1 }, [1]))
    assert.doesNotMatch(after, /busy/)
    assert.match(after, /0\.1 of 2 cores in use at start/)
    const busy = renderText(doc({ loadAverage: 0.2, coresInUse: 1.7 }, [1]))
    assert.match(busy, /note: the machine was busy when the bench started \(1\.7 of 2 cores in use by other processes\)/)
  })

  test('coresInUse sees a core kept busy now', async () => {
    const spin = new Worker('const end = Date.now() + 2000; while (Date.now() < end) {}', { eval: true })
    try {
      await new Promise((resolve) => spin.once('online', resolve))
      // One thread spinning the whole time: at least half a core, whatever else the machine does.
      assert.ok((await coresInUse()) >= 0.5)
    } finally {
      await spin.terminate()
    }
  })

  test('-w 1,2 on 2 cores: the table says the workers share the cores with the main thread and the load generator', () => {
    const text = renderText(doc({ cores: 2 }, [1, 2]))
    assert.match(text, /Scaling of A across workers/)
    assert.match(text, /note: 2 workers, hotcell's main thread and the load generator \(wrk\) share 2 cores/)
    // With cores to spare there is nothing to say.
    assert.doesNotMatch(renderText(doc({ cores: 8 }, [1, 2])), /share \d+ cores/)
  })

  test('-w 2 alone on 2 cores (the default there): the same note, without a scaling table; -w 1: none', () => {
    assert.doesNotMatch(renderText(doc({ cores: 2 }, [1])), /share \d+ cores/)
    const text = renderText(doc({ cores: 2 }, [2]))
    assert.doesNotMatch(text, /Scaling of A/)
    assert.match(text, /note: 2 workers, hotcell's main thread and the load generator \(wrk\) share 2 cores/)
  })
})
