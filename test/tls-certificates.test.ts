// The certificates of --https (made once, cached, reused) and of --cert/--key
// (checked at start, one clear line for each mistake). No server here: see
// https.test.ts for the served side.
import assert from 'node:assert/strict'
import { generateKeyPairSync, X509Certificate } from 'node:crypto'
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { userCacheDir } from '../src/http/tls/cache-dir.js'
import { certificateNames, DEV_CERTIFICATE_FILE, devCertificate } from '../src/http/tls/dev-certificate.js'
import { generateCertificate } from '../src/http/tls/generate-certificate.js'
import { loadTls, mustBeTls } from '../src/http/tls/tls-config.js'
import { certificateWarnings, loadUserCertificate } from '../src/http/tls/user-certificate.js'

const base = mkdtempSync(join(tmpdir(), 'hotcell-tls-'))
after(() => rmSync(base, { recursive: true, force: true }))
let n = 0
const freshDir = () => join(base, `case-${++n}`)
const DAY = 86_400_000

describe('the user cache folder', () => {
  test('XDG_CACHE_HOME wins on every platform; a relative one is ignored', () => {
    assert.equal(userCacheDir({ XDG_CACHE_HOME: '/x/cache' }, 'linux', '/home/u'), '/x/cache/hotcell')
    assert.equal(userCacheDir({ XDG_CACHE_HOME: '/x/cache' }, 'darwin', '/Users/u'), '/x/cache/hotcell')
    assert.equal(userCacheDir({ XDG_CACHE_HOME: 'relative' }, 'linux', '/home/u'), '/home/u/.cache/hotcell')
  })
  test("else each platform's own cache folder", () => {
    assert.equal(userCacheDir({}, 'linux', '/home/u'), '/home/u/.cache/hotcell')
    assert.equal(userCacheDir({}, 'darwin', '/Users/u'), '/Users/u/Library/Caches/hotcell')
    assert.match(userCacheDir({ LOCALAPPDATA: 'C:\\Users\\u\\AppData\\Local' }, 'win32', 'C:\\Users\\u'), /^C:\\Users\\u\\AppData\\Local[\\/]hotcell$/)
  })
})

describe('the generated certificate (--https)', () => {
  test('covers the loopback names and the --host name, as a TLS server leaf', async () => {
    const dir = freshDir()
    const made = await devCertificate({ host: 'myapp.test', dir })
    assert.equal(made.generated, true)
    assert.equal(made.stored, true)
    const x509 = new X509Certificate(made.cert)
    assert.equal(x509.checkHost('localhost'), 'localhost')
    assert.equal(x509.checkHost('myapp.test'), 'myapp.test')
    assert.equal(x509.checkIP('127.0.0.1'), '127.0.0.1')
    assert.ok(x509.checkIP('::1'))
    assert.equal(x509.checkHost('other.test'), undefined)
    assert.equal(x509.ca, false)
    assert.deepEqual(x509.keyUsage, ['1.3.6.1.5.5.7.3.1']) // serverAuth
    assert.equal(x509.publicKey.asymmetricKeyType, 'ec')
    assert.ok(x509.verify(x509.publicKey), 'self-signed')
    assert.ok(new Date(x509.validTo).getTime() - Date.now() > 300 * DAY)
  })

  test('a wildcard --host adds no name', () => {
    assert.deepEqual(certificateNames('0.0.0.0'), ['localhost', '127.0.0.1', '::1'])
    assert.deepEqual(certificateNames('::'), ['localhost', '127.0.0.1', '::1'])
    assert.deepEqual(certificateNames('[::1]'), ['localhost', '127.0.0.1', '::1'])
    assert.deepEqual(certificateNames('192.168.1.20'), ['localhost', '127.0.0.1', '::1', '192.168.1.20'])
  })

  test('is kept in one file, key included, readable by its owner only', async () => {
    const dir = freshDir()
    await devCertificate({ host: '127.0.0.1', dir })
    const file = join(dir, DEV_CERTIFICATE_FILE)
    if (process.platform !== 'win32') {
      assert.equal(statSync(file).mode & 0o777, 0o600)
      assert.equal(statSync(dir).mode & 0o777, 0o700)
    }
    const text = readFileSync(file, 'utf8')
    assert.match(text, /-----BEGIN PRIVATE KEY-----/)
    assert.match(text, /-----BEGIN CERTIFICATE-----/)
  })

  test('is reused by the next start: the same certificate, not made again', async () => {
    const dir = freshDir()
    const first = await devCertificate({ host: '127.0.0.1', dir })
    const second = await devCertificate({ host: '127.0.0.1', dir })
    assert.equal(second.generated, false)
    assert.equal(second.fingerprint, first.fingerprint)
    assert.equal(second.cert, first.cert)
    assert.equal(second.key, first.key)
  })

  test('a new --host name makes a new one that keeps the earlier names, so switching back reuses it', async () => {
    const dir = freshDir()
    const first = await devCertificate({ host: 'one.test', dir })
    const second = await devCertificate({ host: 'two.test', dir })
    assert.equal(second.generated, true)
    assert.notEqual(second.fingerprint, first.fingerprint)
    assert.deepEqual([...second.names].sort(), ['127.0.0.1', '::1', 'localhost', 'one.test', 'two.test'])
    const back = await devCertificate({ host: 'one.test', dir })
    assert.equal(back.generated, false)
    assert.equal(back.fingerprint, second.fingerprint)
  })

  test('is renewed once it is within 30 days of its end, not before', async () => {
    const dir = freshDir()
    const then = new Date(Date.now() - 300 * DAY)
    const old = await devCertificate({ host: '127.0.0.1', dir, now: then })
    const stillGood = await devCertificate({ host: '127.0.0.1', dir, now: new Date(then.getTime() + 330 * DAY) })
    assert.equal(stillGood.fingerprint, old.fingerprint)
    const renewed = await devCertificate({ host: '127.0.0.1', dir, now: new Date(then.getTime() + 340 * DAY) })
    assert.equal(renewed.generated, true)
    assert.notEqual(renewed.fingerprint, old.fingerprint)
  })

  test('a damaged or mismatched file is replaced, and a loosened mode is tightened', async () => {
    const dir = freshDir()
    const file = join(dir, DEV_CERTIFICATE_FILE)
    const first = await devCertificate({ host: '127.0.0.1', dir })
    writeFileSync(file, 'garbage')
    const second = await devCertificate({ host: '127.0.0.1', dir })
    assert.equal(second.generated, true)
    // Someone else's key beside the certificate.
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string
    writeFileSync(file, other + second.cert)
    const third = await devCertificate({ host: '127.0.0.1', dir })
    assert.equal(third.generated, true)
    assert.notEqual(third.fingerprint, first.fingerprint)
    if (process.platform !== 'win32') {
      chmodSync(file, 0o644)
      const fourth = await devCertificate({ host: '127.0.0.1', dir })
      assert.equal(fourth.generated, false)
      assert.equal(statSync(file).mode & 0o777, 0o600)
    }
  })

  test('starts made at the same moment on a fresh folder agree: each serves the certificate in the file', async () => {
    const dir = freshDir()
    const file = join(dir, DEV_CERTIFICATE_FILE)
    const starts = await Promise.all([1, 2, 3].map(() => devCertificate({ host: '127.0.0.1', dir })))
    const inFile = new X509Certificate(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(readFileSync(file, 'utf8'))![0])
    for (const start of starts) assert.equal(start.fingerprint, inFile.fingerprint256)
    assert.equal(starts.filter((start) => start.generated).length, 1, 'one start made it, the others read it')
    assert.ok(!existsSync(`${file}.lock`), 'the lock is released')
  })

  test('a lock left by a start that died holding it does not stop the next one', async () => {
    const dir = freshDir()
    const lock = join(dir, `${DEV_CERTIFICATE_FILE}.lock`)
    mkdirSync(dir, { recursive: true })
    writeFileSync(lock, '')
    const longAgo = new Date(Date.now() - DAY)
    utimesSync(lock, longAgo, longAgo)
    const made = await devCertificate({ host: '127.0.0.1', dir })
    assert.equal(made.generated, true)
    assert.equal(made.stored, true)
    assert.ok(!existsSync(lock))
  })

  test('an unwritable cache folder still gives a certificate, for this process only', async () => {
    const blocker = join(freshDir())
    writeFileSync(blocker, 'a file where the folder should be')
    const made = await devCertificate({ host: '127.0.0.1', dir: join(blocker, 'hotcell') })
    assert.equal(made.stored, false)
    assert.ok(new X509Certificate(made.cert).checkIP('127.0.0.1'))
    // The warning and the banner's line agree: not kept, asked again at each start.
    const saved = process.env.XDG_CACHE_HOME
    process.env.XDG_CACHE_HOME = blocker
    try {
      const loaded = await loadTls({ kind: 'generated' }, '127.0.0.1', base)
      assert.match(loaded.warnings[0] ?? '', /could not write the certificate .*browsers ask again each time/)
      assert.match(loaded.describe, /^self-signed certificate for this run only \(for [^;]*127\.0\.0\.1[^;]*; not kept: browsers ask again at each start\)$/)
    } finally {
      if (saved === undefined) delete process.env.XDG_CACHE_HOME
      else process.env.XDG_CACHE_HOME = saved
    }
  })
})

describe('your own certificate (--cert/--key)', () => {
  const dir = join(base, 'own')
  mkdirSync(dir, { recursive: true })
  const write = (name: string, text: string) => {
    writeFileSync(join(dir, name), text)
    return join(dir, name)
  }
  const made = generateCertificate(['localhost'], new Date(Date.now() - DAY), new Date(Date.now() + 30 * DAY))
  const other = generateCertificate(['localhost'], new Date(Date.now() - DAY), new Date(Date.now() + 30 * DAY))

  test('a matching pair loads as is', async () => {
    const { cert, key } = await made
    const loaded = loadUserCertificate(write('cert.pem', cert), write('key.pem', key), dir)
    assert.equal(loaded.cert, cert)
    assert.equal(loaded.fingerprint, new X509Certificate(cert).fingerprint256)
  })

  test('each mistake is one line that names the file', async () => {
    const { cert, key } = await made
    const certFile = write('cert.pem', cert)
    const keyFile = write('key.pem', key)
    const otherKey = write('other-key.pem', (await other).key)
    const cases: [() => unknown, RegExp][] = [
      [() => loadUserCertificate(join(dir, 'nope.pem'), keyFile, dir), /^cert file nope\.pem is not found$/],
      [() => loadUserCertificate(certFile, join(dir, 'nope.pem'), dir), /^key file nope\.pem is not found$/],
      [() => loadUserCertificate(certFile, otherKey, dir), /^key file other-key\.pem is not the key of the certificate in cert\.pem/],
      [() => loadUserCertificate(keyFile, certFile, dir), /^cert file key\.pem holds no certificate .*are cert and key swapped\?/],
      [() => loadUserCertificate(certFile, write('empty.pem', ''), dir), /^key file empty\.pem holds no private key/],
      [() => loadUserCertificate(certFile, dir, dir), /^key file .* is a folder, not a file$/],
    ]
    for (const [run, message] of cases) {
      assert.throws(run, (error: Error) => {
        assert.equal(error.name, 'HotcellError')
        assert.match(error.message, message)
        assert.ok(!error.message.includes('\n'), `one line: ${error.message}`)
        return true
      })
    }
  })

  test('an encrypted key says so and how to fix it', async () => {
    const { cert } = await made
    const encrypted = generateKeyPairSync('ec', {
      namedCurve: 'P-256',
      privateKeyEncoding: { type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'secret' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    }).privateKey
    assert.throws(() => loadUserCertificate(write('c.pem', cert), write('enc.pem', encrypted), dir), {
      message: /^key file enc\.pem is encrypted with a passphrase; .*openssl pkey/,
    })
  })

  test('warns about a name it does not cover, and about expiry', async () => {
    const { cert, key } = await made
    const loaded = loadUserCertificate(write('cert.pem', cert), write('key.pem', key), dir)
    assert.deepEqual(certificateWarnings(loaded, 'localhost', 'cert.pem'), [])
    const [names] = certificateWarnings(loaded, '127.0.0.1', 'cert.pem')
    assert.match(names ?? '', /is for DNS:localhost, not 127\.0\.0\.1/)
    const [expired] = certificateWarnings(loaded, 'localhost', 'cert.pem', new Date(Date.now() + 60 * DAY))
    assert.match(expired ?? '', /expired on/)
    // A subject's CN alone names nothing a browser accepts.
    const cnOnly = await generateCertificate([], new Date(Date.now() - DAY), new Date(Date.now() + 30 * DAY))
    const old = loadUserCertificate(write('cn.pem', cnOnly.cert), write('cn-key.pem', cnOnly.key), dir)
    assert.equal(old.subjectAltName, undefined)
    const [noNames, ...rest] = certificateWarnings(old, 'localhost', 'cn.pem')
    assert.match(
      noNames ?? '',
      /^hotcell: the certificate in cn\.pem has no subjectAltName \(only CN=localhost[^)]*\): browsers refuse it for every name; make one with names \(mkcert/,
    )
    assert.deepEqual(rest, [])
  })
})

describe('the TLS options', () => {
  const dir = join(base, 'options')
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'c.pem'), 'x')
  writeFileSync(join(dir, 'k.pem'), 'x')

  test('https alone is the generated certificate; cert and key imply https; https: false turns both off', () => {
    assert.equal(mustBeTls({}, dir), undefined)
    assert.deepEqual(mustBeTls({ https: true }, dir), { kind: 'generated' })
    const files = { kind: 'files', certFile: join(dir, 'c.pem'), keyFile: join(dir, 'k.pem'), labels: { cert: 'cert', key: 'key' } }
    assert.deepEqual(mustBeTls({ cert: 'c.pem', key: 'k.pem' }, dir), files)
    assert.deepEqual(mustBeTls({ https: true, cert: 'c.pem', key: 'k.pem' }, dir), files)
    assert.equal(mustBeTls({ https: false, cert: 'c.pem', key: 'k.pem' }, dir), undefined)
  })

  test('half a pair, a missing file or a wrong type is one clear line', () => {
    assert.throws(() => mustBeTls({ cert: 'c.pem' }, dir), { message: /^cert needs its private key too/ })
    assert.throws(() => mustBeTls({ key: 'k.pem' }, dir), { message: /^key needs its certificate too/ })
    assert.throws(() => mustBeTls({ cert: 'missing.pem', key: 'k.pem' }, dir), { message: /^cert file not found: missing\.pem/ })
    assert.throws(() => mustBeTls({ cert: 'c.pem', key: 'missing.pem' }, dir), { message: /^key file not found: missing\.pem/ })
    assert.throws(() => mustBeTls({ https: 'yes' as unknown as boolean }, dir), { message: /^https must be true or false/ })
    assert.throws(() => mustBeTls({ cert: '', key: 'k.pem' }, dir), { message: /^cert must be the path of a PEM file/ })
    // On the command line, the flags are named.
    const flag = (option: string) => `--${option}`
    assert.throws(() => mustBeTls({ key: 'k.pem' }, dir, flag), { message: /^--key needs its certificate too: give both files/ })
    assert.throws(() => mustBeTls({ cert: 'c.pem', key: 'missing.pem' }, dir, flag), { message: /^--key file not found: missing\.pem/ })
  })
})
