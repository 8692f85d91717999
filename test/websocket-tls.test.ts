// WebSockets over TLS (wss://): the HTTP/1.1 upgrade on hotcell's HTTPS
// server (HTTP/2 with HTTP/1.1 beside it), verified against the generated
// certificate, kept in a temporary XDG_CACHE_HOME.
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { serve } from '../src/index.js'
import { DEV_CERTIFICATE_FILE } from '../src/http/tls/dev-certificate.js'
import { cleanup, fixture } from './helpers.js'
import { connect } from './ws-client.js'

const cache = mkdtempSync(join(tmpdir(), 'hotcell-wss-cache-'))
process.env.XDG_CACHE_HOME = cache
cleanup(() => rmSync(cache, { recursive: true, force: true }))
const certificate = () =>
  /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n/.exec(readFileSync(join(cache, 'hotcell', DEV_CERTIFICATE_FILE), 'utf8'))![0]

describe('wss://', () => {
  for (const entry of ['ws/workers.ts', 'ws/node-server.ts']) {
    test(`${entry}: the handshake and messages over TLS`, async () => {
      const server = await serve({ entry: fixture(entry), port: 0, quiet: !process.env.DEBUG_HOTCELL, https: true })
      cleanup(() => server.close())
      assert.match(server.url, /^https:/)
      const client = await connect(server.url + '/chat', { ca: certificate() })
      assert.equal(await client.text(), 'hello v1')
      client.ws.send('over tls')
      assert.equal(await client.text(), 'echo:over tls')
      if (entry === 'ws/workers.ts') {
        client.ws.send('url')
        assert.match(await client.text(), /^https:\/\/127\.0\.0\.1:\d+\/chat$/)
      }
      client.ws.close(1000)
      assert.equal((await client.closed()).code, 1000)
    })
  }
})
