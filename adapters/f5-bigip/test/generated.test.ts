// The committed TypeScript types (src/generated/icontrol-rest.ts) are exactly what openapi-typescript makes of the
// OpenAPI file kept in the package: CI builds without running the generator, so a stale file must fail here.
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const packageDir = join(__dirname, '..');

describe('F5 BIG-IP adapter: generated iControl REST types', function () {
  this.timeout(60000);

  it('src/generated/icontrol-rest.ts is up to date with openapi/icontrol-rest.subset.yaml (npm run generate)', async () => {
    const bin = join(dirname(require.resolve('openapi-typescript/package.json')), 'bin', 'cli.js');
    const dir = await mkdtemp(join(tmpdir(), 'netloom-f5-openapi-'));
    try {
      const out = join(dir, 'icontrol-rest.ts');
      await run(process.execPath, [bin, 'openapi/icontrol-rest.subset.yaml', '-o', out], { cwd: packageDir });
      const [fresh, committed] = await Promise.all([readFile(out, 'utf8'), readFile(join(packageDir, 'src', 'generated', 'icontrol-rest.ts'), 'utf8')]);
      assert.ok(fresh.includes('export interface components'), 'the generator produced types');
      assert.equal(committed, fresh, 'src/generated/icontrol-rest.ts is stale: run `npm run generate -w @netloom/adapter-f5-bigip` and commit the result');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
