/**
 * A throw-away CA and server certificate for the lab's Kubernetes API server, valid for the management address
 * (the simulator's own certificates name 127.0.0.1 only, and the API is reached across network namespaces).
 * Made with openssl (a P-256 key, two days), in a directory removed afterwards.
 * @packageDocumentation
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from './lab.exec';

/** PEM texts of the CA, the server certificate and its key. */
export interface LabCertificates {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

/**
 * Makes a CA and a server certificate whose subjectAltName lists `ips`.
 * @example const tls = await makeLabCertificates(['169.254.77.1', '127.0.0.1']);
 */
export async function makeLabCertificates(ips: readonly string[]): Promise<LabCertificates> {
  const dir = await mkdtemp(join(tmpdir(), 'netloom-lab-tls-'));
  try {
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    const at = (f: string): string => join(dir, f);
    await run('openssl', ['req', '-x509', ...ec, '-keyout', at('ca.key'), '-out', at('ca.pem'), '-days', '2', '-subj', '/CN=netloom lab CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
    await run('openssl', ['req', ...ec, '-keyout', at('server.key'), '-out', at('server.csr'), '-subj', `/CN=${ips[0] ?? '127.0.0.1'}`]);
    await writeFile(at('server.ext'), `subjectAltName=${ips.map((ip) => `IP:${ip}`).join(',')}\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n`);
    await run('openssl', ['x509', '-req', '-in', at('server.csr'), '-CA', at('ca.pem'), '-CAkey', at('ca.key'), '-CAcreateserial', '-out', at('server.pem'), '-days', '2', '-extfile', at('server.ext')]);
    const [ca, cert, key] = await Promise.all(['ca.pem', 'server.pem', 'server.key'].map((f) => readFile(at(f), 'utf8')));
    return { ca: ca!, cert: cert!, key: key! };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
