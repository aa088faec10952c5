/**
 * Test certificates for HTTPS simulators: a fresh self-signed CA and a server certificate it signed for
 * `127.0.0.1` (and `localhost`), made with the `openssl` command-line tool in a temporary directory that is removed
 * afterwards. `openssl` runs through `execFile` (no shell); keys never leave the returned object.
 *
 * @packageDocumentation
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A CA and a server certificate signed by it, as PEM text. */
export interface TestCertificates {
  /** The CA certificate: what a client trusts (`DeviceTarget.tls.ca`). */
  readonly ca: string;
  /** The server certificate (SAN `IP:127.0.0.1`, `DNS:localhost`). */
  readonly cert: string;
  /** The server's private key. Never logged. */
  readonly key: string;
}

/** Options of {@link makeTestCertificates}. */
export interface TestCertificateOptions {
  /** Common name of the CA (default `netloom test CA`). */
  readonly caName?: string;
  /** Days the certificates are valid (default 2). */
  readonly days?: number;
  /** The `openssl` binary (default `openssl` from PATH). */
  readonly openssl?: string;
}

function run(openssl: string, args: readonly string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(openssl, [...args], { cwd, timeout: 30_000 }, (error, _stdout, stderr) => {
      if (error === null) resolve();
      else reject(new Error(`openssl ${args[0] ?? ''} failed: ${String(stderr).trim() || error.message}`, { cause: error }));
    });
  });
}

/**
 * Makes a self-signed CA and a server certificate for `127.0.0.1` signed by it (EC P-256 keys).
 *
 * @throws Error when `openssl` is missing or fails (the message carries openssl's text).
 * @example
 * const tls = await makeTestCertificates();
 * const sim = await startEosSimulator({ tls });
 * // a client trusts tls.ca
 */
export async function makeTestCertificates(options: TestCertificateOptions = {}): Promise<TestCertificates> {
  const openssl = options.openssl ?? 'openssl';
  const days = String(options.days ?? 2);
  const dir = await mkdtemp(join(tmpdir(), 'netloom-tls-'));
  try {
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    await run(
      openssl,
      ['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', days, '-subj', `/CN=${options.caName ?? 'netloom test CA'}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'],
      dir,
    );
    await run(openssl, ['req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1'], dir);
    await writeFile(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n');
    await run(openssl, ['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', days, '-extfile', 'server.ext'], dir);
    const [ca, cert, key] = await Promise.all(['ca.pem', 'server.pem', 'server.key'].map((f) => readFile(join(dir, f), 'utf8')));
    return { ca: ca!, cert: cert!, key: key! };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
