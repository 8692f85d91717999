// The only module that imports @peculiar/x509 (and the Reflect polyfill it
// needs). dev-certificate.ts imports this one lazily, only when a certificate
// must be made: about 100 ms of module loading that a start with a cached
// certificate (or without --https) never pays.
//
// Why @peculiar/x509: a maintained, typed X.509 builder on the platform's
// WebCrypto, so the key is an ECDSA P-256 key made by Node itself in about a
// millisecond, and IP and DNS alternative names are given as strings rather
// than encoded by hand. node-forge is smaller but RSA-only (a 2048-bit key
// costs 100-250 ms and bigger handshakes); selfsigned wraps this same library
// plus pkijs, twice the install size.
import 'reflect-metadata'
import * as x509 from '@peculiar/x509'
import { KeyObject, randomBytes, webcrypto } from 'node:crypto'
import { isIP } from 'node:net'

export interface GeneratedCertificate {
  /** PKCS#8 PEM. */
  key: string
  /** PEM. */
  cert: string
}

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' }

/** A self-signed server certificate for `names` (host names and IP literals), valid from `notBefore` to `notAfter`. */
export async function generateCertificate(names: readonly string[], notBefore: Date, notAfter: Date): Promise<GeneratedCertificate> {
  // The library's types are the DOM's; Node's WebCrypto is the same API.
  x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0])
  const keys = (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as unknown as x509.X509CertificateCreateSelfSignedParams['keys']
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    // Random, never reused: Firefox refuses a second certificate with the same issuer and serial.
    serialNumber: serialNumber(),
    name: 'CN=localhost, O=hotcell development certificate',
    notBefore,
    notAfter,
    signingAlgorithm: ALGORITHM,
    keys,
    extensions: [
      // A leaf, not a CA: Firefox rejects a CA certificate used as a server's.
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      // Apple's TLS stack requires serverAuth.
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      // No names: no extension (an empty one is invalid), as an old CN-only certificate has none.
      ...(names.length ? [new x509.SubjectAlternativeNameExtension(names.map((value) => ({ type: isIP(value) ? 'ip' : 'dns', value })))] : []),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  })
  const key = KeyObject.from(keys.privateKey as unknown as webcrypto.CryptoKey).export({ type: 'pkcs8', format: 'pem' }) as string
  return { key, cert: cert.toString('pem') + '\n' }
}

function serialNumber(): string {
  const bytes = randomBytes(16)
  bytes[0]! &= 0x7f // a positive INTEGER
  return bytes.toString('hex')
}
