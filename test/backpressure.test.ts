// A slow client must slow the producer, not fill the server's memory.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { connect } from 'node:net'
import { test } from 'node:test'
import { fixture, request, startCli, waitFor, withDeadline } from './helpers.js'

const rssMiB = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024
/** The process that holds the server: the supervisor's child when there is one, else the CLI itself. */
const serverPid = (cli: number) => Number(readFileSync(`/proc/${cli}/task/${cli}/children`, 'utf8').trim().split(/\s+/)[0] || cli)

test('a 256 MiB stream to a paused client keeps the server process within +64 MiB, then arrives whole', {
  skip: process.platform !== 'linux' && 'reads /proc',
}, async () => {
  const cli = await startCli([fixture('echo.ts'), '-p', '0', '-w', '1', '--quiet'])
  try {
    const pid = serverPid(cli.child.pid!)
    assert.match(readFileSync(`/proc/${pid}/cmdline`, 'utf8'), /hotcell-server\.cjs/, 'measures a hotcell process')
    assert.equal((await request(`${cli.url}/echo`)).status, 200) // warm: the worker is up
    const before = rssMiB(pid)

    const socket = connect(new URL(cli.url).port as unknown as number, '127.0.0.1')
    let received = 0
    let headerDone = false
    let pending = Buffer.alloc(0)
    const ended = new Promise<void>((resolve, reject) => {
      socket.on('end', resolve)
      socket.on('error', reject)
    })
    socket.on('data', (chunk: Buffer) => {
      if (headerDone) {
        received += chunk.length
        return
      }
      pending = Buffer.concat([pending, chunk])
      const at = pending.indexOf('\r\n\r\n')
      if (at >= 0) {
        headerDone = true
        received += pending.length - at - 4
      }
    })
    socket.write('GET /big?mb=256 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n')
    await waitFor(() => headerDone, 5000, 'the response head')
    socket.pause()

    // While the client reads nothing for 2 s, the server may buffer only a bounded amount.
    let peak = 0
    for (let i = 0; i < 20; i++) {
      await new Promise((r) => setTimeout(r, 100))
      peak = Math.max(peak, rssMiB(pid))
    }
    assert.ok(peak - before < 64, `server RSS grew by ${(peak - before).toFixed(1)} MiB while the client was paused`)
    if (process.env.DEBUG_HOTCELL) console.log(`RSS before ${before.toFixed(1)} MiB, peak while paused ${peak.toFixed(1)} MiB`)

    socket.resume()
    await withDeadline(ended, 60_000, 'the whole 256 MiB')
    // Raw bytes include chunked framing; the payload itself is 256 MiB.
    assert.ok(received >= 256 * 1024 * 1024, `received ${received} bytes`)
  } finally {
    await cli.stop()
  }
})
