// TLS end to end: ovsdb-server serving hardware_vtep on a pssl: listener (client certificate required), the
// adapter configured as a profile would do it: CA and verification from the device target, the client certificate
// in the options, its private key as the device's credential.
import { strict as assert } from 'node:assert';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { hwVtepFabric } from '@netloom/adapter-hw-vtep';
import { DeviceConnectionError, silentLogger, type DeviceTarget } from '@netloom/ports';
import { VTEP_SCHEMA, skipUnlessOvs } from '@netloom/ovsdb/testing';
import { eventually, fabric, converge } from './support';

const run = promisify(execFile);

function onPath(cmd: string): boolean {
  return (process.env['PATH'] ?? '').split(path.delimiter).some((d) => d !== '' && fs.existsSync(path.join(d, cmd)));
}

/** A self-signed CA (`ca` undefined) or a certificate signed by `ca`, without subjectAltName (like ovs-pki's). */
async function issue(dir: string, name: string, ca?: string): Promise<void> {
  const key = path.join(dir, `${name}.key`);
  const crt = path.join(dir, `${name}.crt`);
  if (ca === undefined) {
    await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', crt, '-days', '2', '-subj', `/CN=${name}`]);
    return;
  }
  const csr = path.join(dir, `${name}.csr`);
  await run('openssl', ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', csr, '-subj', `/CN=${name}`]);
  await run('openssl', ['x509', '-req', '-in', csr, '-CA', path.join(dir, `${ca}.crt`), '-CAkey', path.join(dir, `${ca}.key`), '-CAcreateserial', '-out', crt, '-days', '2']);
}

describe('hw-vtep over TLS (ssl: remote, client certificate)', function () {
  this.timeout(60_000);
  let dir: string | undefined;
  let server: ChildProcess | undefined;
  let port = 0;
  const pem = (f: string): string => fs.readFileSync(path.join(dir!, f), 'utf8');

  before(async function () {
    skipUnlessOvs(this, { vtep: true });
    if (!onPath('openssl')) {
      const reason = 'the openssl CLI is not installed (needed to make test certificates)';
      if (process.env['NETLOOM_LAB_REQUIRED'] === '1') throw new Error(`lab test required (NETLOOM_LAB_REQUIRED=1) but: ${reason}`);
      process.stdout.write(`      skipped: ${reason}\n`);
      this.skip();
    }
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netloom-hwvtep-tls-'));
    await issue(dir, 'ca');
    await issue(dir, 'rogue-ca');
    await issue(dir, 'server', 'ca');
    await issue(dir, 'client', 'ca');
    const db = path.join(dir, 'vtep.db');
    await run('ovsdb-tool', ['create', db, VTEP_SCHEMA]);
    const sock = path.join(dir, 'db.sock');
    const log = path.join(dir, 'ovsdb.log');
    const env = { ...process.env, OVS_RUNDIR: dir, OVS_LOGDIR: dir, OVS_DBDIR: dir };
    server = spawn(
      'ovsdb-server',
      [
        db,
        '--remote=pssl:0:127.0.0.1',
        `--remote=punix:${sock}`,
        `--private-key=${path.join(dir, 'server.key')}`,
        `--certificate=${path.join(dir, 'server.crt')}`,
        `--ca-cert=${path.join(dir, 'ca.crt')}`,
        `--unixctl=${path.join(dir, 'ovsdb.ctl')}`,
        `--log-file=${log}`,
        '-vconsole:off',
      ],
      { env, stdio: 'ignore' },
    );
    port = await eventually('ovsdb-server to listen on pssl:', () => {
      if (server?.exitCode !== null) throw new Error(`ovsdb-server exited: ${fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : ''}`);
      const m = fs.existsSync(log) ? /listening on port (\d+)/.exec(fs.readFileSync(log, 'utf8')) : null;
      return m !== null && fs.existsSync(sock) ? Number(m[1]) : undefined;
    });
    await run('vtep-ctl', [`--db=unix:${sock}`, 'add-ps', 'leaf1', '--', 'add-port', 'leaf1', 'Ethernet1/1']);
  });

  after(async () => {
    if (server !== undefined && server.exitCode === null && server.signalCode === null) {
      const exited = new Promise<void>((r) => server!.once('exit', () => r()));
      server.kill('SIGTERM');
      await exited;
    }
    if (dir !== undefined) fs.rmSync(dir, { recursive: true, force: true });
  });

  const target = (ca: string): DeviceTarget => ({ name: 'leaf1', address: '127.0.0.1', port, tls: { verify: true, ca: pem(ca) }, credentials: { privateKey: pem('client.key') } });
  const options = () => ({ physicalSwitch: 'leaf1', tls: { certificateFile: path.join(dir!, 'client.crt'), verifyHostname: false } });

  it('connects with the CA from the target and the client key from the credentials, and writes', async () => {
    const driver = hwVtepFabric({ target: target('ca.crt'), options: options(), logger: silentLogger });
    assert.equal(driver.settings.remote, `ssl:127.0.0.1:${port}`);
    const s = await driver.connect();
    try {
      await converge(s, fabric([[5000, 'ls-tls']], [['Ethernet1/1', 100, 5000]]));
      assert.equal((await s.observe()).config.binding['Ethernet1/1:100']?.l2Vni, 5000);
    } finally {
      await s.close();
    }
  });

  it('refuses a server whose certificate the CA did not sign, without leaking the key', async () => {
    const driver = hwVtepFabric({ target: target('rogue-ca.crt'), options: options(), logger: silentLogger });
    await assert.rejects(driver.connect(), (e: unknown) => {
      assert.ok(e instanceof DeviceConnectionError, String(e));
      assert.match(e.message, /TLS certificate verification of ssl:127\.0\.0\.1:\d+ failed/);
      const key = pem('client.key');
      const body = key.split('\n')[1]!;
      assert.ok(!e.message.includes(body) && !JSON.stringify(e.details).includes(body), 'the private key leaked into the error');
      return true;
    });
  });
});
