'use strict';
// Records a conformance run of the Huawei CE adapter for CI replay, with the Huawei CE simulator playing the lab
// device on 127.0.0.1 (as a lab leaf would: a login, a host key, ports, the EVPN underlay):
//
//   npx tsc -b conformance adapters/huawei-ce && node scripts/record-conformance.cjs [--out <dir>]
//
// default --out: adapters/huawei-ce/test/recordings/ce-simulator. The run goes through the same code path as
// `netloom conformance run --target <file> --record <dir>`: a target file (written to a temporary folder, the
// password by environment variable), the kit's live target and its SSH recording proxy. The script exits 1 when a
// check fails (a recording of a failing run is no fixture), and prints where the recording is.
//
// To record a real lab device instead, write a target file for it and run
//   netloom conformance run --adapter @netloom/adapter-huawei-ce --target lab/leaf1.yaml --record <dir>
// (see docs/vendors/running-conformance.md).
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const args = process.argv.slice(2);
const outAt = args.indexOf('--out');
const out = path.resolve(outAt >= 0 && args[outAt + 1] !== undefined ? args[outAt + 1] : path.join(root, 'adapters/huawei-ce/test/recordings/ce-simulator'));

async function main() {
  const { adapter, ceSamples, LEAF_UNDERLAY } = require('@netloom/adapter-huawei-ce');
  const { fabricConformance, runChecks } = require('@netloom/conformance');
  const { HuaweiCeSimulator } = require('@netloom/conformance/simulators');
  const { stringify } = require('yaml');

  const password = crypto.randomBytes(12).toString('base64url');
  const sim = new HuaweiCeSimulator({
    hostname: 'LabLeaf',
    users: [{ username: 'netloom', password }],
    ports: ['10GE1/0/1', '10GE1/0/2', '10GE1/0/3', '10GE1/0/4'],
    trialScale: 0.05,
    initialConfig: LEAF_UNDERLAY,
  });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'netloom-record-'));
  try {
    const endpoint = await sim.start();
    const file = path.join(tmp, 'target.yaml');
    fs.writeFileSync(
      file,
      stringify({
        apiVersion: 'netloom.io/v1alpha1',
        kind: 'ConformanceTarget',
        adapter: '@netloom/adapter-huawei-ce',
        port: 'fabric',
        device: { name: 'lab-leaf', address: endpoint.host, port: endpoint.port, hostKey: { verify: true, fingerprint: endpoint.hostKeyFingerprint } },
        credentials: { username: 'netloom', password: { env: 'NETLOOM_RECORD_PASSWORD' } },
        allow: { interfaces: ['10GE1/0/3', '10GE1/0/4'], vlans: { from: 300, to: 309 }, vnis: { from: 910000, to: 910999 } },
      }),
    );
    fs.rmSync(out, { recursive: true, force: true });
    const suite = fabricConformance({ adapter, samples: ceSamples, target: { kind: 'live', file, record: out, env: { NETLOOM_RECORD_PASSWORD: password } } });
    const report = await runChecks(suite, { onResult: (r) => console.log(`  ${r.status === 'passed' ? '✔' : r.status === 'failed' ? '✖' : '-'} ${r.id}${r.reason === undefined ? '' : `: ${r.reason}`}`) });
    const s = report.summary;
    console.log(`${s.passed} passed, ${s.failed} failed, ${s.skipped} skipped; recording in ${path.relative(process.cwd(), out)}`);
    const leaked = fs
      .readdirSync(out, { recursive: true })
      .map((f) => path.join(out, String(f)))
      .filter((f) => fs.statSync(f).isFile() && fs.readFileSync(f, 'utf8').includes(password));
    if (leaked.length > 0) throw new Error(`the password is in ${leaked.join(', ')}`);
    return s.failed === 0 ? 0 : 1;
  } finally {
    await sim.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(`record-conformance: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
