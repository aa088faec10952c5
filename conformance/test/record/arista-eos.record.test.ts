// Live + record + replay at the HTTPS JSON level: the Arista eAPI simulator plays a lab switch on 127.0.0.1 (its own
// test CA, trusted through the target file), the fabric kit runs live through the recording proxy, then replays.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { adapter, aristaEosHarness } from '@netloom/adapter-arista-eos';
import { fabricConformance, readSession, runChecks, type ConformanceReport } from '@netloom/conformance';
import { makeTestCertificates, startEosSimulator, type EosSimulator } from '@netloom/conformance/simulators';
import { allText, alterRecording, assertDiverged, assertReplaysLive, cleanup, failedChecks, filesUnder, tempDir, writeTargetFile } from './support';

const SECRET = 'Eos-Lab-Pw-51c0ffee';
const ALLOWED = ['Ethernet1/3', 'Ethernet1/4'];
const VLANS = { from: 300, to: 309 };
// EOS derives route distinguishers <router-id>:<L3 VNI>, so L3 VNIs stay below 65536.
const VNIS = { from: 9100, to: 9199 };

describe('live target with --record, and replay (https-json, Arista eAPI simulator as the lab device)', function () {
  this.timeout(240_000);
  let sim: EosSimulator | undefined;
  let work: string | undefined;
  let recording = '';
  let live: ConformanceReport;

  before(async function () {
    work = tempDir('eos-record');
    recording = path.join(work, 'recording');
    const tls = await makeTestCertificates();
    fs.writeFileSync(path.join(work, 'ca.pem'), tls.ca);
    sim = await startEosSimulator({ tls, users: { labuser: { password: SECRET, role: 'network-admin' } } });
    const file = writeTargetFile(work, {
      adapter: '@netloom/adapter-arista-eos',
      port: 'fabric',
      device: { name: 'lab-eos', address: '127.0.0.1', port: sim.port, tls: { verify: true, ca: { file: path.join(work, 'ca.pem') } }, options: { segmentVlans: { from: 305, to: 309 } } },
      credentials: { username: 'labuser', password: { env: 'NLC_TEST_EOS_PASSWORD' } },
      allow: { interfaces: ALLOWED, vlans: VLANS, vnis: VNIS },
    });
    live = await runChecks(fabricConformance({ adapter, target: { kind: 'live', file, record: recording, env: { NLC_TEST_EOS_PASSWORD: SECRET } } }));
  });

  after(async function () {
    await sim?.close();
    cleanup(work);
  });

  it('passes every check that runs live', function () {
    assert.deepEqual(failedChecks(live), []);
    assert.ok(live.summary.passed >= 8, `only ${live.summary.passed} checks passed`);
  });

  it('leaves nothing the suite created on the switch', async function () {
    const config = await aristaEosHarness(sim!).readConfig();
    assert.deepEqual(Object.entries(config.owned).filter(([, objects]) => Object.keys(objects ?? {}).length > 0), []);
  });

  it('never touches an interface, VLAN or VNI outside allow (from the recorded requests)', function () {
    const outside: string[] = [];
    let commands = 0;
    for (const file of filesUnder(recording).filter((f) => f.endsWith('.json') && !f.endsWith('manifest.json'))) {
      for (const e of readSession(file).events) {
        if (e.type !== 'request') continue;
        const cmds = ((e.body as { params?: { cmds?: unknown[] } } | undefined)?.params?.cmds ?? []).map((c) => (typeof c === 'string' ? c : JSON.stringify(c)));
        for (const c of cmds) {
          commands++;
          const iface = /^interface (Ethernet\S+)/.exec(c);
          if (iface !== null && !ALLOWED.includes(iface[1]!)) outside.push(c);
          for (const m of c.matchAll(/\bvlan (?:add )?(\d+)/g)) if (Number(m[1]) < VLANS.from || Number(m[1]) > VLANS.to) outside.push(c);
          for (const m of c.matchAll(/\bvni (\d+)/g)) if (Number(m[1]) < VNIS.from || Number(m[1]) > VNIS.to) outside.push(c);
        }
      }
    }
    assert.ok(commands > 0, 'no eAPI command was recorded');
    assert.deepEqual(outside, []);
  });

  it('redacts the password and the Authorization header', function () {
    const text = allText(recording);
    assert.ok(!text.includes(SECRET), 'the password is in the recording');
    assert.ok(!text.includes(Buffer.from(`labuser:${SECRET}`).toString('base64')), 'the Basic credentials are in the recording');
    assert.match(text, /"authorization":"<redacted:header>"/);
  });

  it('replays with no device: every check that ran live passes again', async function () {
    await sim!.close();
    const replay = await runChecks(fabricConformance({ adapter, target: { kind: 'replay', dir: recording } }));
    assertReplaysLive(replay, live);
  });

  it('fails on an altered recorded reply, naming the exchange', async function () {
    const copy = alterRecording<{ events: { dir: string; type: string; body?: unknown }[] }>(recording, path.join(work!, 'altered'), path.join('observe.shape', 'default', 'session-1.json'), (session) => {
      // The switch "answers" the first request with an eAPI error instead of its reply.
      const reply = session.events.find((e) => e.dir === 'out' && e.type === 'response');
      assert.ok(reply !== undefined);
      reply.body = { jsonrpc: '2.0', id: (reply.body as { id?: unknown }).id ?? null, error: { code: 1002, message: 'CLI command 1 of 1 failed: invalid command', data: [] } };
    });
    const replay = await runChecks(fabricConformance({ adapter, target: { kind: 'replay', dir: copy } }), { only: ['observe.shape'] });
    assertDiverged(replay, 'observe.shape', 1);
  });
});
