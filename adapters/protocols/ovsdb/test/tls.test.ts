import { strict as assert } from 'node:assert';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { DeviceConnectionError, InputError } from '@netloom/ports';
import { OvsdbClient, type OvsdbTlsOptions, op } from '@netloom/ovsdb';
import { VSWITCH_SCHEMA, ovsUnavailableReason, skipUnlessOvs } from '@netloom/ovsdb/testing';
import { eventually } from './support';

const run = promisify(execFile);

function onPath(cmd: string): boolean {
  return (process.env['PATH'] ?? '').split(path.delimiter).some((d) => d !== '' && fs.existsSync(path.join(d, cmd)));
}

/** Makes a CA and a certificate signed by it (`san`: subjectAltName, or none like ovs-pki certificates). */
async function issue(dir: string, name: string, ca: string | undefined, san?: string): Promise<void> {
  const key = path.join(dir, `${name}.key`);
  const crt = path.join(dir, `${name}.crt`);
  if (ca === undefined) {
    await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', crt, '-days', '2', '-subj', `/CN=${name}`]);
    return;
  }
  const csr = path.join(dir, `${name}.csr`);
  await run('openssl', ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', csr, '-subj', `/CN=${name}`]);
  const args = ['x509', '-req', '-in', csr, '-CA', path.join(dir, `${ca}.crt`), '-CAkey', path.join(dir, `${ca}.key`), '-CAcreateserial', '-out', crt, '-days', '2'];
  if (san !== undefined) {
    const ext = path.join(dir, `${name}.ext`);
    fs.writeFileSync(ext, `subjectAltName=${san}\n`);
    args.push('-extfile', ext);
  }
  await run('openssl', args);
}

describe('OvsdbClient over TLS (ssl: remote, ovsdb-server pssl:)', function () {
  let dir: string;
  let server: ChildProcess | undefined;
  let port: number;
  const pem = (f: string): Buffer => fs.readFileSync(path.join(dir, f));
  const trusted = (): OvsdbTlsOptions => ({ ca: pem('ca.crt'), cert: pem('client.crt'), key: pem('client.key') });

  before(async function () {
    skipUnlessOvs(this, { vswitchd: false });
    if (!onPath('openssl')) {
      const reason = 'the openssl CLI is not installed (needed to make test certificates)';
      if (process.env['NETLOOM_LAB_REQUIRED'] === '1') throw new Error(`lab test required (NETLOOM_LAB_REQUIRED=1) but: ${reason}`);
      process.stdout.write(`      skipped: ${reason}\n`);
      this.skip();
    }
    assert.equal(ovsUnavailableReason({}), undefined);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netloom-ovs-tls-'));
    await issue(dir, 'ca', undefined);
    await issue(dir, 'rogue-ca', undefined);
    // Like ovs-pki certificates: no subjectAltName, so only the chain can be verified.
    await issue(dir, 'server', 'ca');
    await issue(dir, 'client', 'ca');
    const db = path.join(dir, 'conf.db');
    await run('ovsdb-tool', ['create', db, VSWITCH_SCHEMA]);
    const log = path.join(dir, 'ovsdb.log');
    server = spawn(
      'ovsdb-server',
      [
        db,
        '--remote=pssl:0:127.0.0.1',
        `--private-key=${path.join(dir, 'server.key')}`,
        `--certificate=${path.join(dir, 'server.crt')}`,
        `--ca-cert=${path.join(dir, 'ca.crt')}`,
        `--unixctl=${path.join(dir, 'ovsdb.ctl')}`,
        `--log-file=${log}`,
        '-vconsole:off',
      ],
      { env: { ...process.env, OVS_RUNDIR: dir, OVS_LOGDIR: dir, OVS_DBDIR: dir }, stdio: 'ignore' },
    );
    port = await eventually('ovsdb-server to listen on pssl:', () => {
      if (server?.exitCode !== null) throw new Error(`ovsdb-server exited: ${fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : ''}`);
      const m = fs.existsSync(log) ? /listening on port (\d+)/.exec(fs.readFileSync(log, 'utf8')) : null;
      return m ? Number(m[1]) : undefined;
    });
  });

  after(async () => {
    if (server !== undefined && server.exitCode === null && server.signalCode === null) {
      const exited = new Promise<void>((r) => server!.once('exit', () => r()));
      server.kill('SIGTERM');
      await exited;
    }
    if (dir !== undefined) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('speaks OVSDB over mutual TLS with a trusted CA (chain verified, host name not: ovs-pki style)', async () => {
    const client = await OvsdbClient.connect({ remote: `ssl:127.0.0.1:${port}`, tls: { ...trusted(), verifyHostname: false } });
    try {
      assert.ok((await client.listDbs()).includes('Open_vSwitch'));
      const [{ rows }] = await client.transact('Open_vSwitch', [op.select('Open_vSwitch', [], ['_uuid'])] as const);
      assert.equal(rows.length, 0);
    } finally {
      await client.close();
    }
  });

  it('refuses a server certificate from an untrusted CA (rejectUnauthorized is the default)', async () => {
    await assert.rejects(OvsdbClient.connect({ remote: `ssl:127.0.0.1:${port}`, tls: { ca: pem('rogue-ca.crt'), cert: pem('client.crt'), key: pem('client.key'), verifyHostname: false } }), (e: unknown) => {
      assert.ok(e instanceof DeviceConnectionError, String(e));
      assert.match(e.message, /TLS certificate verification of ssl:127\.0\.0\.1:\d+ failed: .*not trusted.*check tls\.ca/);
      assert.equal(e.details['tls'], true);
      assert.ok(!e.message.includes('PRIVATE KEY'), 'no key material in the message');
      return true;
    });
    // Node's public roots do not know the lab CA either.
    await assert.rejects(OvsdbClient.connect({ remote: `ssl:127.0.0.1:${port}`, tls: { cert: pem('client.crt'), key: pem('client.key') } }), DeviceConnectionError);
  });

  it('checks the host name by default: a certificate that does not name the host is refused', async () => {
    await assert.rejects(
      OvsdbClient.connect({ remote: `ssl:127.0.0.1:${port}`, tls: trusted() }),
      (e: unknown) => e instanceof DeviceConnectionError && /does not name this host/.test(e.message) && e.details['code'] === 'ERR_TLS_CERT_ALTNAME_INVALID',
    );
  });

  it('a missing client certificate ends the session with DeviceConnectionError', async () => {
    let client: OvsdbClient | undefined;
    try {
      // With TLS 1.3 the server's refusal arrives after the handshake: at connect or at the first request.
      client = await OvsdbClient.connect({ remote: `ssl:127.0.0.1:${port}`, tls: { ca: pem('ca.crt'), verifyHostname: false }, reconnect: false });
      await client.listDbs();
      assert.fail('the server must refuse a client without a certificate');
    } catch (e) {
      assert.ok(e instanceof DeviceConnectionError, String(e));
      assert.match(e.message, /the server requires a client certificate.*check tls.cert and tls.key/);
    } finally {
      await client?.close();
    }
  });

  it('bad TLS material is an input error, not a connection error', async () => {
    await assert.rejects(
      OvsdbClient.connect({ remote: `ssl:127.0.0.1:${port}`, tls: { ca: pem('ca.crt'), cert: pem('client.crt'), key: Buffer.from('-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n') } }),
      (e: unknown) => e instanceof InputError && /tls: cannot be loaded/.test(e.message) && !e.message.includes('not a key'),
    );
  });
});
