// The quality rule fuzzed-renderers is checked automatically: `done` needs a test that calls runInjectionFuzz (the
// injection fuzz kit, @netloom/conformance/fuzz); a mention in a comment does not count.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { QUALITY_RULES, assessQuality } from '@netloom/conformance';

/** An adapter package that passes every automatic check except, maybe, fuzzed-renderers (its tests are `tests`). */
function makePackage(tests: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netloom-quality-fuzz-'));
  const files: Record<string, string> = {
    'package.json': JSON.stringify({ name: '@netloom/adapter-demo', version: '0.1.0', netloom: { id: 'demo', ports: ['fabric'], portApi: '^1.0.0' } }),
    'README.md': '# demo\n## Install\n## Configuration\n## Supported models\n## Known limitations\n',
    'CHANGELOG.md': '# Changelog\n',
    'src/index.ts': 'export const conformanceTargets = {};\n',
    'quality.yaml': ['adapter: demo', 'tier: platinum', 'rules:', ...QUALITY_RULES.map((r) => `  ${r.id}: done`)].join('\n') + '\n',
    ...Object.fromEntries(Object.entries(tests).map(([f, text]) => [`test/${f}`, text])),
  };
  for (const [f, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.writeFileSync(path.join(dir, f), text);
  }
  return dir;
}

describe('quality rule fuzzed-renderers (automatic)', () => {
  const dirs: string[] = [];
  after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
  const assess = (tests: Record<string, string>) => {
    const d = makePackage(tests);
    dirs.push(d);
    return assessQuality(d);
  };

  it('is an automatic rule', () => {
    assert.equal(QUALITY_RULES.find((r) => r.id === 'fuzzed-renderers')?.automatic, true);
  });

  it('done with a test calling runInjectionFuzz: platinum reached', () => {
    const a = assess({
      'demo.test.ts': 'runFabricConformance({});\n',
      'injection.fuzz.test.ts': "import { runInjectionFuzz } from '@netloom/conformance/fuzz';\nrunInjectionFuzz({ adapter, port: 'fabric', target, medium: 'cli' });\n",
    });
    assert.deepEqual(a.problems, []);
    assert.equal(a.reached, 'platinum');
  });

  it('done without such a call (or with it only in a comment): the rule fails and says why, platinum is not reached', () => {
    for (const fuzz of ['// TODO: runInjectionFuzz(...) one day\n', ' * runInjectionFuzz({ ... })\n', "fc.assert(fc.property(fc.string(), (s) => render(s) !== ''));\n"]) {
      const a = assess({ 'demo.test.ts': 'runFabricConformance({});\n', 'render.test.ts': fuzz });
      assert.equal(a.reached, 'gold', fuzz);
      assert.ok(
        a.problems.some((p) => p === 'fuzzed-renderers is marked done but: no test calls runInjectionFuzz(...) (@netloom/conformance/fuzz)'),
        a.problems.join('\n'),
      );
    }
  });
});
