import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { HW_VTEP_SUPPORTS, adapter, connectionSettings, hwVtepFabric, loadTls, lockName, logicalSwitchName, markedKey, segmentMarker } from '@netloom/adapter-hw-vtep';
import { InputError, checkAdapterDefinition, silentLogger } from '@netloom/ports';

const PEM_KEY = '-----BEGIN PRIVATE KEY-----\nc2VjcmV0LWtleS1tYXRlcmlhbA==\n-----END PRIVATE KEY-----\n';

function inputProblems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof InputError, `expected InputError, got ${String(e)}`);
    return e.problems.map((p) => `${p.path}: ${p.reason}`);
  }
  assert.fail('expected an InputError');
}

describe('hw-vtep options and connection settings', () => {
  it('defaults the remote to tcp:<address>:6640, keeps the target port, brackets IPv6, canonicalises options.remote', () => {
    assert.equal(connectionSettings({ name: 'leaf1', address: '10.0.0.5' }, { physicalSwitch: 'leaf1' }).remote, 'tcp:10.0.0.5:6640');
    assert.equal(connectionSettings({ name: 'leaf1', address: '10.0.0.5', port: 6641 }, { physicalSwitch: 'leaf1' }).remote, 'tcp:10.0.0.5:6641');
    assert.equal(connectionSettings({ name: 'leaf1', address: 'fd00::5' }, { physicalSwitch: 'leaf1' }).remote, 'tcp:[fd00::5]:6640');
    assert.equal(connectionSettings({ name: 'leaf1' }, { physicalSwitch: 'leaf1', remote: 'unix:/run/vtep.sock' }).remote, 'unix:/run/vtep.sock');
    assert.equal(connectionSettings({ name: 'leaf1', address: '10.0.0.9' }, { physicalSwitch: 'leaf1', remote: 'tcp:10.0.0.5' }).remote, 'tcp:10.0.0.5:6640');
    const s = connectionSettings({ name: 'leaf1', address: '10.0.0.5' }, { physicalSwitch: 'leaf 1/a' });
    assert.equal(s.physicalSwitch, 'leaf 1/a');
    assert.equal(s.requestTimeoutMs, 30_000);
    assert.equal(s.tls, undefined);
  });

  it('uses ssl: when the device has TLS settings; verification stays on unless the profile turns it off', () => {
    const target = { name: 'leaf1', address: 'leaf1.dc', tls: { verify: true, ca: 'CA-PEM' }, credentials: { privateKey: PEM_KEY, password: 'key-pass' } };
    const s = connectionSettings(target, { physicalSwitch: 'leaf1', tls: { certificate: 'CERT-PEM' } });
    assert.equal(s.remote, 'ssl:leaf1.dc:6640');
    assert.deepEqual(s.tls, { ca: 'CA-PEM', certificate: 'CERT-PEM', key: PEM_KEY, passphrase: 'key-pass', rejectUnauthorized: true, verifyHostname: true });
    assert.deepEqual([...s.secrets].sort(), [PEM_KEY, 'key-pass'].sort());
    // ovs-pki certificates carry no host name: the profile may skip the name check, the chain is still verified.
    const noName = connectionSettings(target, { physicalSwitch: 'leaf1', tls: { certificate: 'CERT-PEM', verifyHostname: false } });
    assert.equal(noName.tls?.rejectUnauthorized, true);
    assert.equal(noName.tls?.verifyHostname, false);
    const off = connectionSettings({ ...target, tls: { verify: false } }, { physicalSwitch: 'leaf1', tls: { certificate: 'CERT-PEM' } });
    assert.equal(off.tls?.rejectUnauthorized, false);
    assert.equal(off.tls?.verifyHostname, false);
    // TLS settings with neither a CA nor client material still verify against the public roots.
    const bare = connectionSettings({ name: 'leaf1', address: '10.0.0.5', tls: { verify: true } }, { physicalSwitch: 'leaf1' });
    assert.equal(bare.remote, 'ssl:10.0.0.5:6640');
    assert.equal(bare.tls?.rejectUnauthorized, true);
  });

  it('refuses bad options with every problem and its path', () => {
    assert.deepEqual(inputProblems(() => connectionSettings({ name: 'leaf1', address: '10.0.0.5' }, { physicalSwitch: 'leaf1', remotes: 'x' })), ['remotes: unknown field']);
    assert.deepEqual(inputProblems(() => connectionSettings({ name: 'leaf1', address: '10.0.0.5' }, {})), ['physicalSwitch: required']);
    assert.match(inputProblems(() => connectionSettings({ name: 'leaf1', address: '10.0.0.5' }, { physicalSwitch: 'leaf\n1' }))[0]!, /^physicalSwitch: .*control character/);
    assert.match(inputProblems(() => connectionSettings({ name: 'leaf1' }, { physicalSwitch: 'leaf1', remote: 'ptcp:6640' }))[0]!, /^remote: .*passive/);
    assert.match(inputProblems(() => connectionSettings({ name: 'leaf1' }, { physicalSwitch: 'leaf1' }))[0]!, /^remote: required when the device has no address/);
    assert.match(inputProblems(() => connectionSettings({ name: 'leaf1', address: 'a' }, { physicalSwitch: 'leaf1', tls: { certificate: 'C' } }))[0]!, /credentials\.privateKey/);
    assert.match(
      inputProblems(() => connectionSettings({ name: 'leaf1', credentials: { privateKey: PEM_KEY } }, { physicalSwitch: 'leaf1', remote: 'tcp:a:1', tls: { certificate: 'C' } })).join('\n'),
      /tls: TLS settings need an ssl: remote/,
    );
    assert.match(inputProblems(() => connectionSettings({ name: 'leaf1', address: 'a' }, { physicalSwitch: 'leaf1', requestTimeoutMs: 5 }))[0]!, /^requestTimeoutMs: /);
    // The factory validates at once (a broken inventory entry fails when the device is first used, not later).
    assert.throws(() => hwVtepFabric({ target: { name: 'leaf1' }, options: { physicalSwitch: 'leaf1' }, logger: silentLogger }), InputError);
  });

  it('reads the client certificate file; a missing file is an InputError naming the file, never the key', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netloom-hwvtep-'));
    try {
      fs.writeFileSync(path.join(dir, 'client.crt'), 'CERT-FROM-FILE');
      const target = { name: 'leaf1', address: '10.0.0.5', tls: { verify: true }, credentials: { privateKey: PEM_KEY } };
      const tls = await loadTls(connectionSettings(target, { physicalSwitch: 'leaf1', tls: { certificateFile: path.join(dir, 'client.crt') } }));
      assert.deepEqual(tls, { cert: 'CERT-FROM-FILE', key: PEM_KEY, rejectUnauthorized: true, verifyHostname: true });
      const missing = path.join(dir, 'nope.crt');
      await assert.rejects(loadTls(connectionSettings(target, { physicalSwitch: 'leaf1', tls: { certificateFile: missing } })), (e: unknown) => {
        assert.ok(e instanceof InputError);
        assert.match(e.message, /nope\.crt cannot be read \(ENOENT\)/);
        assert.ok(!e.message.includes('c2VjcmV0'), 'the key must not appear in the error');
        return true;
      });
      assert.equal(await loadTls(connectionSettings({ name: 'leaf1', address: 'a' }, { physicalSwitch: 'leaf1' })), undefined);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names and marks owned rows, and derives a valid lock name from any switch name', () => {
    assert.equal(logicalSwitchName(10010), 'nl-10010');
    assert.equal(segmentMarker('10010'), 'netloom:10010');
    assert.equal(markedKey('netloom:10010'), '10010');
    assert.equal(markedKey('made by hand'), undefined);
    assert.equal(lockName('leaf1'), 'netloom_leaf1');
    assert.equal(lockName('leaf-1.dc2 a/b'), 'netloom_leaf_1_dc2_a_b');
  });

  it('declares only what hardware_vtep can carry, and the manifest is valid', () => {
    assert.deepEqual(HW_VTEP_SUPPORTS.fabric, { l2Segment: true, vrf: false, anycastGateway: false, accessBinding: true, interconnect: false, confirmedCommit: false, floodVtep: true });
    assert.deepEqual(checkAdapterDefinition(adapter), []);
    assert.equal(adapter.id, 'hw-vtep');
    assert.deepEqual(Object.keys(adapter.ports), ['fabric']);
  });
});
