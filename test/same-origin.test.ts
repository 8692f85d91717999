// The same-origin check of hotcell's own endpoints, as a unit: the scheme
// and the default port follow the connection (TLS or not).
import assert from 'node:assert/strict'
import type { IncomingMessage } from 'node:http'
import { test } from 'node:test'
import { isSameOriginRequest } from '../src/http/gate/same-origin.js'

const req = (headers: Record<string, string>, encrypted = false) => ({ headers, socket: { encrypted } }) as unknown as IncomingMessage

test('an Origin must name this server: scheme, host and port, defaults by scheme', () => {
  const cases: [string, Record<string, string>, boolean, boolean][] = [
    ['http, explicit port', { host: '127.0.0.1:3000', origin: 'http://127.0.0.1:3000' }, false, true],
    ['http, loopback alias', { host: '127.0.0.1:3000', origin: 'http://localhost:3000' }, false, true],
    ['http server, https origin', { host: '127.0.0.1:3000', origin: 'https://127.0.0.1:3000' }, false, false],
    ['https server, http origin', { host: 'localhost:3443', origin: 'http://localhost:3443' }, true, false],
    ['https on 443: Host without a port', { host: 'localhost', origin: 'https://localhost' }, true, true],
    ['https on 443, origin names 443', { host: 'localhost', origin: 'https://localhost:443' }, true, true],
    ['http on 80: Host without a port', { host: 'localhost', origin: 'http://localhost' }, false, true],
    ['https, Host without a port, origin on 80', { host: 'localhost', origin: 'https://localhost:80' }, true, false],
    ['another site', { host: 'localhost:3000', origin: 'http://evil.example:3000' }, false, false],
    ['Origin: null', { host: 'localhost:3000', origin: 'null' }, false, false],
    ['no Origin (curl)', { host: 'localhost:3000' }, false, true],
  ]
  for (const [name, headers, encrypted, expected] of cases) assert.equal(isSameOriginRequest(req(headers, encrypted)), expected, name)
})
