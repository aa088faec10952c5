// `netloom conformance run` against a lab device named in a target file, recorded with --record, then replayed with
// --target replay:<dir>: the Huawei CE simulator plays the lab device on 127.0.0.1.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LEAF_UNDERLAY, huaweiCeHarness, resolveOptions } from '@netloom/adapter-huawei-ce';
import { HuaweiCeSimulator } from '@netloom/conformance/simulators';
import { stringify } from 'yaml';
import { cleanTmp, cli, tmpDir } from './helpers';

const SECRET = 'Cli-Lab-Pw-0a1b2c3d4e';
const ENV = 'NLC_TEST_CLI_CE_PASSWORD';

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

describe('runtime: netloom conformance run with a live target file, --record and replay', function () {
  this.timeout(240_000);
  let sim: HuaweiCeSimulator | undefined;

  after(async () => {
    await sim?.stop();
    delete process.env[ENV];
    cleanTmp();
  });

  it('records a live run (password redacted), leaves the device clean, and replays it with no device', async () => {
    const dir = tmpDir();
    sim = new HuaweiCeSimulator({ hostname: 'LabLeaf', users: [{ username: 'labuser', password: SECRET }], ports: ['10GE1/0/1', '10GE1/0/2', '10GE1/0/3', '10GE1/0/4'], trialScale: 0.05, initialConfig: LEAF_UNDERLAY });
    const endpoint = await sim.start();
    const file = path.join(dir, 'leaf.yaml');
    fs.writeFileSync(
      file,
      stringify({
        apiVersion: 'netloom.io/v1alpha1',
        kind: 'ConformanceTarget',
        adapter: '@netloom/adapter-huawei-ce',
        port: 'fabric',
        device: { name: 'lab-leaf', address: endpoint.host, port: endpoint.port, hostKey: { verify: true, fingerprint: endpoint.hostKeyFingerprint } },
        credentials: { username: 'labuser', password: { env: ENV } },
        allow: { interfaces: ['10GE1/0/3', '10GE1/0/4'], vlans: { from: 300, to: 309 }, vnis: { from: 910000, to: 910999 } },
      }),
    );
    process.env[ENV] = SECRET;
    const recording = path.join(dir, 'rec');
    const markdown = path.join(dir, 'live.md');
    const live = await cli('conformance', 'run', '--adapter', '@netloom/adapter-huawei-ce', '--target', file, '--record', recording, '--markdown', markdown);
    // Gaps in the shipped samples (a capability no sample uses) are the only failures a target cannot fix.
    const realFailures = live.stdout.split('\n').filter((l) => l.startsWith('  ✖') && !/: no sample config uses /.test(l));
    assert.deepEqual(realFailures, [], live.stdout + live.stderr);
    assert.match(live.stdout, /^ {2}✔ idempotency: /m);
    assert.match(live.stdout, /^ {2}- ownership\.foreign-untouched: skipped \(the live target has no device harness/m);
    assert.match(live.stdout, new RegExp(`^recorded to ${recording.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} `, 'm'));
    assert.match(fs.readFileSync(markdown, 'utf8'), /\| Target \| live: lab-leaf \(127\.0\.0\.1\), recorded to /);
    for (const f of filesUnder(recording)) assert.ok(!fs.readFileSync(f, 'utf8').includes(SECRET), `${f} holds the password`);
    assert.ok(fs.existsSync(path.join(recording, 'manifest.json')));
    const left = await huaweiCeHarness(sim, resolveOptions({}, 'lab-leaf').render).readConfig();
    assert.deepEqual(Object.values(left.owned).flatMap((o) => Object.keys(o ?? {})), []);
    await sim.stop();
    sim = undefined;

    const replayMd = path.join(dir, 'replay.md');
    const replay = await cli('conformance', 'run', '--adapter', '@netloom/adapter-huawei-ce', '--target', `replay:${recording}`, '--markdown', replayMd);
    const statuses = (out: string): string[] => out.split('\n').filter((l) => /^ {2}[✔✖-] /.test(l)).map((l) => l.split(':')[0]!);
    assert.deepEqual(statuses(replay.stdout), statuses(live.stdout), replay.stdout);
    const md = fs.readFileSync(replayMd, 'utf8');
    assert.match(md, /\| Target \| replay: .* \(recorded \d{4}-\d\d-\d\dT/);
    assert.match(md, /\| Recording \| ssh-cli, recorded \d{4}-.* from lab-leaf with kit /);
    assert.match(md, /\| Device facts \(fabric recorded device\) \| vendor Huawei/);
  });
});
