/**
 * The serve host's TLS identity: `--cert FILE --key FILE` (PEM), or a self-signed certificate made at
 * start (ECDSA P-256 — fast to make — for the host name, `localhost`, 127.0.0.1 and ::1, valid from a
 * day ago for a year) with the `selfsigned` library. Clients must be told not to verify it (or to
 * trust the PEM, which `certificatePem` exposes).
 */
import { readFileSync } from 'node:fs';
import { createSecureContext, type SecureContext } from 'node:tls';

export interface TlsIdentity {
  context: SecureContext;
  certificatePem: string;
  selfSigned: boolean;
}

const dayMs = 86_400_000;

/** `--cert FILE --key FILE`: read at once, so a bad file fails the start (throws). */
export function loadTlsFiles(certFile: string | null, keyFile: string | null): TlsIdentity {
  if (!certFile || !keyFile) throw new Error('--cert and --key go together');
  const cert = readFileSync(certFile, 'utf8');
  const key = readFileSync(keyFile, 'utf8');
  return { context: createSecureContext({ cert, key }), certificatePem: cert, selfSigned: false };
}

/** A self-signed identity for `hostName` (a few hundred ms: the caller makes it off the start path). */
export async function makeSelfSignedIdentity(hostName: string): Promise<TlsIdentity> {
  const options = { hostName };
  const { generate } = await import('selfsigned');
  const now = Date.now();
  const pems = await generate([{ name: 'commonName', value: options.hostName }], {
    keyType: 'ec',
    curve: 'P-256',
    notBeforeDate: new Date(now - dayMs),
    notAfterDate: new Date(now + 365 * dayMs),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: options.hostName },
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  });
  return { context: createSecureContext({ cert: pems.cert, key: pems.private }), certificatePem: pems.cert, selfSigned: true };
}
