import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  AdapterPackageFieldCodec,
  PORT_API_VERSION,
  checkAdapterDefinition,
  compareAdapterPackageField,
  type AdapterDefinition,
} from '@netloom/ports';
import { isRight } from 'fp-ts/Either';
import * as semver from 'semver';

// Every folder under adapters/ (except the shared protocol clients) must be a valid, loadable adapter package that
// is part of the workspace and the build. Adding an adapter folder without wiring it fails here.
const root = path.resolve(__dirname, '..', '..');
const adaptersDir = path.join(root, 'adapters');
const rootPkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { workspaces: string[] };
const buildRefs = (JSON.parse(fs.readFileSync(path.join(root, 'tsconfig.build.json'), 'utf8')) as { references: { path: string }[] }).references.map((r) => r.path);
const folders = fs
  .readdirSync(adaptersDir, { withFileTypes: true })
  .filter((d) => d.isDirectory() && d.name !== 'protocols')
  .map((d) => d.name)
  .sort();

describe('every adapter package', () => {
  it('there is at least the reference fake adapter and the sqlite store', () => {
    assert.ok(folders.includes('fake'), `adapters/: ${folders.join(', ')}`);
    assert.ok(folders.includes('sqlite'), `adapters/: ${folders.join(', ')}`);
  });

  for (const dir of folders) {
    describe(`adapters/${dir}`, () => {
      const pkgPath = path.join(adaptersDir, dir, 'package.json');
      const pkg = JSON.parse(fs.readFileSync(pkgPath, 'utf8')) as { name: string; version: string; netloom?: unknown };

      it('is named @netloom/adapter-<folder>, is a workspace and is built', () => {
        assert.equal(pkg.name, `@netloom/adapter-${dir}`);
        assert.ok(rootPkg.workspaces.includes(`adapters/${dir}`), 'missing from package.json workspaces');
        assert.ok(buildRefs.includes(`adapters/${dir}`), 'missing from tsconfig.build.json references');
        assert.ok(semver.valid(pkg.version), `version ${pkg.version} is not semver`);
      });

      it('has a README and a CHANGELOG', () => {
        assert.ok(fs.existsSync(path.join(adaptersDir, dir, 'README.md')), 'README.md missing');
        assert.ok(fs.existsSync(path.join(adaptersDir, dir, 'CHANGELOG.md')), 'CHANGELOG.md missing');
      });

      it('loads, and its defineAdapter manifest is valid and agrees with package.json "netloom"', () => {
        const decoded = AdapterPackageFieldCodec.decode(pkg.netloom);
        assert.ok(isRight(decoded), `package.json "netloom" field is missing or malformed: ${JSON.stringify(pkg.netloom)}`);
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const mod = require(pkg.name) as { adapter?: AdapterDefinition };
        assert.ok(mod.adapter, `${pkg.name} does not export "adapter"`);
        assert.deepEqual(checkAdapterDefinition(mod.adapter), []);
        assert.deepEqual(compareAdapterPackageField(mod.adapter, decoded.right), []);
        assert.ok(semver.satisfies(PORT_API_VERSION, mod.adapter.portApi), `port API ${PORT_API_VERSION} not in ${mod.adapter.portApi}`);
      });
    });
  }
});
