// Live + record + replay at the SSH CLI level: the Huawei CE simulator plays a lab device on 127.0.0.1, the fabric
// kit runs live against it through the recording proxy, and the recording is then replayed with no device at all.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LEAF_UNDERLAY, adapter, ceSamples, huaweiCeHarness, resolveOptions } from '@netloom/adapter-huawei-ce';
import { fabricConformance, readManifest, runChecks, type ConformanceReport } from '@netloom/conformance';
import { HuaweiCeSimulator } from '@netloom/conformance/simulators';
import { allText, alterRecording, assertDiverged, assertReplaysLive, cleanup, failedChecks, tempDir, writeTargetFile } from './support';

const SECRET = 'Lab-Pw-7f3c9a2e41';
const ALLOWED_PORTS = ['10GE1/0/3', '10GE1/0/4'];
const VLANS = { from: 300, to: 309 };
const VNIS = { from: 910000, to: 910999 };

describe('live target with --record, and replay (ssh-cli, Huawei CE simulator as the lab device)', function () {
  this.timeout(240_000);
  let sim: HuaweiCeSimulator | undefined;
  let work: string | undefined;
  let recording = '';
  let live: ConformanceReport;
  const edits: string[] = [];

  before(async function () {
    work = tempDir('huawei-record');
    recording = path.join(work, 'recording');
    sim = new HuaweiCeSimulator({
      hostname: 'LabLeaf',
      users: [{ username: 'labuser', password: SECRET }],
      ports: ['10GE1/0/1', '10GE1/0/2', '10GE1/0/3', '10GE1/0/4'],
      trialScale: 0.05,
      initialConfig: LEAF_UNDERLAY,
    });
    const endpoint = await sim.start();
    sim.on('config-edit', (e) => edits.push(e.command));
    const file = writeTargetFile(work, {
      adapter: '@netloom/adapter-huawei-ce',
      port: 'fabric',
      device: { name: 'lab-leaf', address: endpoint.host, port: endpoint.port, hostKey: { verify: true, fingerprint: endpoint.hostKeyFingerprint } },
      credentials: { username: 'labuser', password: { env: 'NLC_TEST_CE_PASSWORD' } },
      allow: { interfaces: ALLOWED_PORTS, vlans: VLANS, vnis: VNIS },
    });
    live = await runChecks(fabricConformance({ adapter, samples: ceSamples, target: { kind: 'live', file, record: recording, env: { NLC_TEST_CE_PASSWORD: SECRET } } }));
  });

  after(async function () {
    await sim?.stop();
    cleanup(work);
  });

  it('passes every check that runs live, and skips those that need a harness with a reason', function () {
    assert.deepEqual(failedChecks(live), []);
    assert.ok(live.summary.passed >= 8, `only ${live.summary.passed} checks passed`);
    const ownership = live.results.find((r) => r.id === 'ownership.foreign-untouched');
    assert.equal(ownership?.status, 'skipped');
    assert.match(ownership?.reason ?? '', /live target has no device harness/);
  });

  it('leaves nothing the suite created on the device', async function () {
    const config = await huaweiCeHarness(sim!, resolveOptions({}, 'lab-leaf').render).readConfig();
    assert.deepEqual(
      Object.entries(config.owned).filter(([, objects]) => Object.keys(objects ?? {}).length > 0),
      [],
    );
    assert.ok(edits.length > 0, 'the run configured nothing');
  });

  it('never touches an interface, VLAN or VNI outside allow', function () {
    const outside: string[] = [];
    for (const line of edits) {
      const iface = /^interface (\S+?)(?:\.(\d+))?(?: mode l2)?$/.exec(line);
      if (iface !== null && /^10GE/.test(iface[1]!) && !ALLOWED_PORTS.includes(iface[1]!)) outside.push(line);
      const vni = /^vxlan vni (\d+)/.exec(line);
      if (vni !== null && (Number(vni[1]) < VNIS.from || Number(vni[1]) > VNIS.to)) outside.push(line);
      const vlan = /^encapsulation dot1q vid (\d+)$/.exec(line);
      if (vlan !== null && (Number(vlan[1]) < VLANS.from || Number(vlan[1]) > VLANS.to)) outside.push(line);
    }
    assert.deepEqual(outside, []);
    assert.ok(edits.some((l) => l.startsWith('interface 10GE1/0/3') || l.startsWith('interface 10GE1/0/4')), 'no binding was configured on an allowed port');
  });

  it('writes a manifest and one folder per check and case, without the password', function () {
    const manifest = readManifest(recording);
    assert.equal(manifest.adapter, 'huawei-ce');
    assert.equal(manifest.protocol, 'ssh-cli');
    assert.equal(manifest.device.facts?.vendor !== undefined, true);
    assert.ok(fs.existsSync(path.join(recording, 'idempotency', 'default', 'session-1.json')));
    assert.ok(!allText(recording).includes(SECRET), 'the password is in the recording');
    assert.ok(!allText(recording).includes(Buffer.from(SECRET).toString('base64')));
  });

  it('replays the recording with no device: every check that ran live passes again', async function () {
    await sim!.stop();
    const replay = await runChecks(fabricConformance({ adapter, samples: ceSamples, target: { kind: 'replay', dir: recording } }));
    assertReplaysLive(replay, live);
  });

  it('fails a check whose recording is missing, naming check, case and folder', async function () {
    const copy = path.join(work!, 'missing');
    fs.cpSync(recording, copy, { recursive: true });
    fs.rmSync(path.join(copy, 'idempotency'), { recursive: true });
    const replay = await runChecks(fabricConformance({ adapter, samples: ceSamples, target: { kind: 'replay', dir: copy } }), { only: ['idempotency', 'facts.decode'] });
    const r = replay.results.find((x) => x.id === 'idempotency');
    assert.equal(r?.status, 'failed');
    assert.equal(r?.reason, `no recording for check idempotency case default in ${copy}: record one with --record against a live target`);
    assert.equal(replay.results.find((x) => x.id === 'facts.decode')?.status, 'passed');
  });

  it('fails a check whose recorded reply was altered, naming the exchange', async function () {
    // The device "answers" differently: its running configuration shows another VNI, so the adapter reads another
    // config and goes on differently from the recording.
    const copy = alterRecording<{ events: { dir: string; type: string; text?: string }[] }>(recording, path.join(work!, 'altered'), path.join('idempotency', 'default', 'session-2.json'), (session) => {
      const reply = session.events.find((e) => e.dir === 'out' && e.type === 'data' && (e.text ?? '').includes(' vxlan vni 910000'));
      assert.ok(reply !== undefined, 'no recorded reply shows the segment');
      reply.text = reply.text!.replace(' vxlan vni 910000', ' vxlan vni 910001');
    });
    const replay = await runChecks(fabricConformance({ adapter, samples: ceSamples, target: { kind: 'replay', dir: copy } }), { only: ['idempotency'] });
    const r = assertDiverged(replay, 'idempotency', 2);
    process.stdout.write(`      reason: ${(r?.reason ?? '').slice(0, 300)}\n`);
  });
});
