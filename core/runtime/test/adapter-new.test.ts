import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { assessQuality } from '@netloom/conformance';
import { cli } from './helpers';

const run = promisify(execFile);
const repo = path.resolve(__dirname, '..', '..', '..');
// Inside the repository (git-ignored), so the scaffold resolves @netloom/* from the workspace's node_modules.
const scratch = path.join(repo, '.tmp', 'adapter-new-test');

describe('runtime: netloom adapter new', function () {
  this.timeout(120_000);
  before(() => fs.rmSync(scratch, { recursive: true, force: true }));
  after(() => fs.rmSync(scratch, { recursive: true, force: true }));

  it('scaffolds a package that builds, loads, runs the kit and fails each check with "not implemented yet"', async () => {
    const dir = path.join(scratch, 'acme-leaf');
    const made = await cli('adapter', 'new', 'acme-leaf', '--port', 'fabric', '--vendor', 'Acme', '--dir', dir);
    assert.equal(made.code, 0, made.stderr);
    assert.match(made.stdout, /scaffolded @netloom\/adapter-acme-leaf \(fabric\)/);
    for (const f of ['package.json', 'tsconfig.json', 'src/index.ts', 'src/acme-leaf.driver.ts', 'src/acme-leaf.simulator.ts', 'test/acme-leaf.conformance.test.ts', 'README.md', 'CHANGELOG.md', 'quality.yaml']) {
      assert.ok(fs.existsSync(path.join(dir, f)), `${f} not written`);
    }
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name: string; netloom: unknown };
    assert.equal(pkg.name, '@netloom/adapter-acme-leaf');
    assert.deepEqual(pkg.netloom, { id: 'acme-leaf', ports: ['fabric'], portApi: '^1.0.0' });

    // It builds as generated (strict, against the repository's tsconfig).
    await run(process.execPath, [path.join(repo, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir]);
    assert.ok(fs.existsSync(path.join(dir, 'dist', 'index.js')));

    // The kit runs on it (the loader's manifest checks pass) and fails where nothing is implemented, saying so.
    const r = await cli('conformance', 'run', '--adapter', dir, '--target', 'simulator');
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /^conformance: @netloom\/adapter-acme-leaf 0\.1\.0 \(acme-leaf\), target simulator, ports fabric$/m);
    assert.match(r.stdout, /✖ facts\.decode: unexpected NotSupportedError \(NOT_SUPPORTED\): acme-leaf: not implemented yet: facts\(\) \(src\/acme-leaf\.driver\.ts\)/);
    assert.match(r.stdout, /✖ not-supported\.vrf: .*not implemented yet: observe\(\)/);
    assert.match(r.stdout, /skipped \(the target provides no device harness\)/);
    assert.match(r.stdout, /^FAILED: \d+ of \d+ checks failed$/m);
    assert.match(r.stdout, /^quality: tier none reached \(claims none\)$/m);

    // Its quality.yaml is valid and honest: nothing but the manifest is done.
    const q = assessQuality(dir);
    assert.deepEqual(q.problems, []);
    assert.equal(q.reached, 'none');
    assert.equal(q.verdicts.filter((v) => v.status === 'done').length, 1);
  });

  it('refuses a bad id, an unknown port and a non-empty directory, writing nothing', async () => {
    const bad = await cli('adapter', 'new', 'Acme;rm', '--port', 'spine', '--dir', path.join(scratch, 'bad'));
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /id: must be lower-case letters/);
    assert.match(bad.stderr, /--port: must be one of fabric, vswitch, firewall, loadBalancer \(got "spine"\)/);
    assert.equal(fs.existsSync(path.join(scratch, 'bad')), false);

    const busy = path.join(scratch, 'busy');
    fs.mkdirSync(busy, { recursive: true });
    fs.writeFileSync(path.join(busy, 'keep.txt'), 'mine');
    const r = await cli('adapter', 'new', 'busy', '--port', 'vswitch', '--dir', busy);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /exists and is not empty; nothing written/);
    assert.deepEqual(fs.readdirSync(busy), ['keep.txt']);
  });

  it('every device port scaffolds code that type-checks', async () => {
    for (const port of ['vswitch', 'firewall', 'loadBalancer']) {
      const dir = path.join(scratch, `x-${port.toLowerCase()}`);
      assert.equal((await cli('adapter', 'new', `x-${port.toLowerCase()}`, '--port', port, '--dir', dir)).code, 0);
      await run(process.execPath, [path.join(repo, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir, '--noEmit']);
    }
  });
});
