// The policy rewrite that lets hotcell's live-reload script run on pages with a
// Content-Security-Policy, and leaves every other rule of the policy alone.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { admitLiveReload, metaPolicyBlocks } from '../src/reload/csp-nonce.js'

const policyOf = (headers: string[], name = 'content-security-policy') => headers[headers.findIndex((h, i) => i % 2 === 0 && h.toLowerCase() === name) + 1]

describe('admitLiveReload', () => {
  test("default-src 'none' (Express's finalhandler) gets a nonce for scripts and 'self' for the stream", () => {
    const verdict = admitLiveReload(['Content-Security-Policy', "default-src 'none'", 'content-type', 'text/html'])
    assert.ok(verdict.ok)
    assert.match(verdict.nonce!, /^[A-Za-z0-9+/]{22}==$/)
    assert.equal(policyOf(verdict.headers), `default-src 'none'; script-src 'nonce-${verdict.nonce}'; connect-src 'self'`)
    assert.equal(policyOf(verdict.headers, 'content-type'), 'text/html')
  })

  test("script-src 'self' keeps its sources and gains the nonce; connect-src falls back to default-src", () => {
    const verdict = admitLiveReload(['content-security-policy', "default-src 'self'; script-src 'self' https://cdn.example; img-src *"])
    assert.ok(verdict.ok)
    assert.equal(policyOf(verdict.headers), `default-src 'self'; script-src 'self' https://cdn.example 'nonce-${verdict.nonce}'; img-src *`)
  })

  test('script-src-elem governs script elements when present', () => {
    const verdict = admitLiveReload(['content-security-policy', "script-src 'unsafe-inline'; script-src-elem 'self'; connect-src 'none'"])
    assert.ok(verdict.ok)
    assert.equal(policyOf(verdict.headers), `script-src 'unsafe-inline'; script-src-elem 'self' 'nonce-${verdict.nonce}'; connect-src 'self'`)
  })

  test('a policy that already allows inline scripts and same-origin connections is sent as it was, without a nonce', () => {
    const headers = ['content-security-policy', "default-src 'self'; script-src 'self' 'unsafe-inline'"]
    const verdict = admitLiveReload(headers)
    assert.ok(verdict.ok)
    assert.equal(verdict.nonce, undefined)
    assert.equal(verdict.headers, headers)
  })

  test("'unsafe-inline' next to a hash or 'strict-dynamic' does not count (CSP3), so a nonce is added", () => {
    for (const list of ["'unsafe-inline' 'sha256-abc='", "'unsafe-inline' 'strict-dynamic'", "'unsafe-inline' 'nonce-theirs'"]) {
      const verdict = admitLiveReload(['content-security-policy', `script-src ${list}`])
      assert.ok(verdict.ok)
      assert.equal(policyOf(verdict.headers), `script-src ${list} 'nonce-${verdict.nonce}'`, list)
    }
  })

  test('every policy gets what it needs: two headers, and two policies in one header', () => {
    const verdict = admitLiveReload([
      'content-security-policy',
      "script-src 'self', default-src 'none'",
      'content-security-policy-report-only',
      "script-src 'none'",
    ])
    assert.ok(verdict.ok)
    const n = verdict.nonce!
    assert.deepEqual(verdict.headers, [
      'content-security-policy',
      `script-src 'self' 'nonce-${n}',default-src 'none'; script-src 'nonce-${n}'; connect-src 'self'`,
      'content-security-policy-report-only',
      `script-src 'nonce-${n}'`,
    ])
  })

  test('no policy: nothing to change', () => {
    const headers = ['content-type', 'text/html']
    assert.deepEqual(admitLiveReload(headers), { ok: true, headers, nonce: undefined })
  })

  test('a sandbox without allow-scripts cannot be opened by a nonce: the verdict says why', () => {
    const verdict = admitLiveReload(['content-security-policy', "sandbox allow-forms; default-src 'self'"])
    assert.equal(verdict.ok, false)
    assert.match(!verdict.ok ? verdict.reason : '', /sandbox without allow-scripts/)
    assert.ok(admitLiveReload(['content-security-policy', 'sandbox allow-scripts']).ok)
  })
})

describe('metaPolicyBlocks', () => {
  test('a <meta> policy that forbids inline scripts is recognised; one that allows them is not', () => {
    assert.equal(metaPolicyBlocks(`<head><meta http-equiv="Content-Security-Policy" content="default-src 'self'"></head>`), true)
    assert.equal(metaPolicyBlocks(`<meta content="script-src &#39;none&#39;" http-equiv='content-security-policy'>`), true)
    assert.equal(metaPolicyBlocks(`<meta http-equiv="Content-Security-Policy" content="script-src 'unsafe-inline'">`), false)
    assert.equal(metaPolicyBlocks(`<meta http-equiv="Content-Security-Policy" content="img-src 'self'">`), false)
    assert.equal(metaPolicyBlocks('<meta charset="utf-8"><h1>hi</h1>'), false)
  })
})
