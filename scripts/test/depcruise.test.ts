import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

// Proves the layering rules of .dependency-cruiser.cjs fail on a violation: a small fixture tree with the same
// layout as the repository breaks four rules on purpose, and dependency-cruiser must report each and exit non-zero.
const root = path.resolve(__dirname, '..', '..');
const fixture = path.join(__dirname, 'fixtures', 'layering');
const depcruise = path.join(root, 'node_modules', '.bin', 'depcruise');

function cruise(cwd: string, dirs: string[]): { status: number | null; violations: { rule: string; from: string; to: string }[] } {
  // The "err" output type is the one CI uses (npm run depcruise): its exit code is the number of errors.
  const r = spawnSync(depcruise, ['--config', path.join(root, '.dependency-cruiser.cjs'), '--output-type', 'err', ...dirs], { cwd, encoding: 'utf8' });
  assert.equal(r.error, undefined, String(r.error));
  const violations = [...r.stdout.matchAll(/^\s*error ([\w-]+): (\S+) → (\S+)$/gm)].map((m) => ({ rule: m[1] ?? '', from: m[2] ?? '', to: m[3] ?? '' }));
  return { status: r.status, violations };
}

describe('layering rules (dependency-cruiser)', function () {
  this.timeout(120_000);

  it('fail on a fixture that breaks the layering, naming each broken rule', () => {
    const { status, violations } = cruise(fixture, ['core', 'ports', 'adapters', 'plugins']);
    assert.notEqual(status, 0, 'depcruise must exit non-zero on a violation');
    const rules = new Set(violations.map((v) => v.rule));
    for (const rule of ['domain-is-pure', 'adapters-are-independent', 'adapters-depend-on-the-contract', 'plugins-depend-on-the-contract']) {
      assert.ok(rules.has(rule), `expected a "${rule}" violation, got ${JSON.stringify(violations)}`);
    }
    const independent = violations.find((v) => v.rule === 'adapters-are-independent');
    assert.equal(independent?.from, 'adapters/alpha/src/index.ts');
    assert.equal(independent?.to, 'adapters/beta/src/index.ts');
  });

  it('pass on the repository itself', () => {
    const { status, violations } = cruise(root, ['core', 'ports', 'adapters', 'plugins', 'conformance'].filter((d) => fs.existsSync(path.join(root, d))));
    assert.deepEqual(violations, []);
    assert.equal(status, 0);
  });
});
