import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { QUALITY_RULES, assessQuality, parseQualityFile } from '@netloom/conformance';
import { InputError } from '@netloom/ports';

/** A quality.yaml text with every rule `done` except those given. */
function qualityYaml(tier: string, overrides: Record<string, string> = {}, adapter = 'demo'): string {
  const lines = [`adapter: ${adapter}`, `tier: ${tier}`, 'rules:'];
  for (const r of QUALITY_RULES) lines.push(`  ${r.id}: ${overrides[r.id] ?? 'done'}`);
  return lines.join('\n') + '\n';
}

/** A minimal adapter package directory that passes every automatic check. */
function makePackage(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netloom-quality-'));
  const base: Record<string, string> = {
    'package.json': JSON.stringify({ name: '@netloom/adapter-demo', version: '0.1.0', netloom: { id: 'demo', ports: ['fabric'], portApi: '^1.0.0' } }),
    'README.md': '# demo\n## Install\n## Configuration\n## Supported models\n## Known limitations\n',
    'CHANGELOG.md': '# Changelog\n',
    'src/index.ts': 'export const conformanceTargets = {};\n',
    'test/demo.test.ts': 'runFabricConformance({});\n',
    'test/injection.fuzz.test.ts': 'runInjectionFuzz({});\n',
  };
  for (const [f, text] of Object.entries({ ...base, ...files })) {
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.writeFileSync(path.join(dir, f), text);
  }
  return dir;
}

describe('quality scale (quality.yaml)', () => {
  const dirs: string[] = [];
  after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
  const pkg = (files: Record<string, string>): string => {
    const d = makePackage(files);
    dirs.push(d);
    return d;
  };

  it('every rule done and every automatic check passing: platinum reached, no problems', () => {
    const a = assessQuality(pkg({ 'quality.yaml': qualityYaml('platinum') }));
    assert.equal(a.reached, 'platinum');
    assert.deepEqual(a.problems, []);
  });

  it('a todo in silver: bronze reached; claiming gold is a problem naming the open rule', () => {
    const a = assessQuality(pkg({ 'quality.yaml': qualityYaml('gold', { 'rollback-on-failure': 'todo' }) }));
    assert.equal(a.reached, 'bronze');
    assert.equal(a.problems.length, 1);
    assert.match(a.problems[0]!, /claims gold but silver is not reached: rollback-on-failure \(todo\)/);
  });

  it('an exempt rule with a reason counts as met', () => {
    const a = assessQuality(pkg({ 'quality.yaml': qualityYaml('silver', { 'reconnect-with-backoff': '{ status: exempt, reason: "no connection" }' }) }));
    assert.equal(a.reached, 'platinum');
    assert.deepEqual(a.problems, []);
  });

  it('a done rule whose automatic check fails does not count, and says where', () => {
    const a = assessQuality(pkg({ 'quality.yaml': qualityYaml('platinum'), 'src/bad.ts': 'export const x = JSON.parse("1") as any;\nimport * as fs from "node:fs";\nfs.readFileSync("x");\n' }));
    assert.equal(a.reached, 'gold');
    assert.ok(a.problems.some((p) => /strict-typing is marked done but: untyped code .* at src\/bad\.ts:1/.test(p)), a.problems.join('\n'));
    assert.ok(a.problems.some((p) => /no-sync-io is marked done but: synchronous I\/O at src\/bad\.ts:3/.test(p)), a.problems.join('\n'));
    assert.ok(a.problems.some((p) => /claims platinum but platinum is not reached/.test(p)));
  });

  it('documentation rules read the README headings', () => {
    const a = assessQuality(pkg({ 'quality.yaml': qualityYaml('none'), 'README.md': '# demo\n## Install\n## Options\n' }));
    assert.equal(a.reached, 'silver');
    assert.ok(a.problems.some((p) => /docs-known-limitations is marked done but: README.md has no limitations section/.test(p)));
  });

  it('conformance-core needs a kit call in the tests or exported conformanceTargets', () => {
    const a = assessQuality(pkg({ 'quality.yaml': qualityYaml('none'), 'src/index.ts': 'export {};\n', 'test/demo.test.ts': '// nothing\n' }));
    assert.equal(a.reached, 'none');
    assert.ok(a.problems.some((p) => /conformance-core is marked done but: no test calls a run\*Conformance kit/.test(p)));
  });

  it('the adapter id must be the package\'s', () => {
    const a = assessQuality(pkg({ 'quality.yaml': qualityYaml('none', {}, 'other') }));
    assert.ok(a.problems.some((p) => /adapter: "other" is not the package's adapter id "demo"/.test(p)));
  });

  it('invalid files are refused with every problem and its path', () => {
    const text = qualityYaml('bronze', { 'docs-install': 'exempt', 'no-sync-io': 'maybe' }).replace(/^ {2}fuzzed-renderers: done\n/m, '') + '  made-up-rule: done\n';
    assert.throws(
      () => parseQualityFile(text, 'quality.yaml'),
      (e: unknown) => e instanceof InputError && /rules\["no-sync-io"\]: expected a status/.test(e.message),
    );
    const noStatusTypo = text.replace('no-sync-io: maybe', 'no-sync-io: done');
    assert.throws(
      () => parseQualityFile(noStatusTypo, 'quality.yaml'),
      (e: unknown) =>
        e instanceof InputError &&
        /rules\["docs-install"\]: exempt needs a reason/.test(e.message) &&
        /rules\["made-up-rule"\]: unknown rule/.test(e.message) &&
        /rules\["fuzzed-renderers"\]: missing \(platinum/.test(e.message),
    );
    assert.throws(() => parseQualityFile('adapter: [', 'q.yaml'), /q\.yaml: not valid YAML/);
  });

  it('a package without quality.yaml is refused', () => {
    assert.throws(() => assessQuality(pkg({})), /quality\.yaml is missing/);
  });
});
