/**
 * A throwaway certificate authority and a server certificate it signs for 127.0.0.1 and
 * localhost, made at every start and written to a fresh temporary directory. Clients trust
 * the emulator by pointing NODE_EXTRA_CA_CERTS (or their CA option) at `caCertPath`; nothing
 * is cached across runs. EC P-256 keeps generation in the low milliseconds.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';

export interface Certificates {
  key: string;
  cert: string;
  caCert: string;
  caCertPath: string;
  dir: string;
  dispose(): Promise<void>;
}

export async function makeCertificates(): Promise<Certificates> {
  const notBeforeDate = new Date(Date.now() - 60 * 60 * 1000);
  const notAfterDate = new Date(Date.now() + 30 * 24 * 60 * 60 * 1000);
  const ca = await generate([{ name: 'commonName', value: 'msgraph-mail emulator CA' }, { name: 'organizationName', value: 'msgraph-mail emulator' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  const leaf = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  });
  const dir = await mkdtemp(join(tmpdir(), 'msgraph-emulator-'));
  const caCertPath = join(dir, 'ca.pem');
  await writeFile(caCertPath, ca.cert, { mode: 0o644 });
  return {
    key: leaf.private,
    cert: leaf.cert,
    caCert: ca.cert,
    caCertPath,
    dir,
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}
