// The adapter docs' generated command tables match what the adapters render today (regenerated in memory; nothing
// is written). The generator plans against the shipped conformance targets, so it needs Open vSwitch (ovs, h3c,
// hw-vtep) and nftables as root, like those adapters' own tests.
import { strict as assert } from 'node:assert';
import { readdir } from 'node:fs/promises';
import * as path from 'node:path';
import { skipUnlessOvs } from '@netloom/ovsdb/testing';
import { BEGIN, DOCS_DIR, END, TABLE_ADAPTERS, regenerate } from '../adapter-docs';

describe('docs/adapters', function () {
  this.timeout(300_000);

  it('has a page per adapter, linked from docs/adapters/README.md', async function () {
    const adapters = (await readdir(path.join(DOCS_DIR, '..', '..', 'adapters'), { withFileTypes: true })).filter((d) => d.isDirectory() && d.name !== 'protocols').map((d) => d.name);
    const pages = await readdir(DOCS_DIR);
    const { readFile } = await import('node:fs/promises');
    const index = await readFile(path.join(DOCS_DIR, 'README.md'), 'utf8');
    for (const id of adapters) {
      assert.ok(pages.includes(`${id}.md`), `docs/adapters/${id}.md is missing`);
      assert.ok(index.includes(`](${id}.md)`), `docs/adapters/README.md does not link ${id}.md`);
    }
  });

  it('every command table is up to date', async function () {
    skipUnlessOvs(this, { vswitchd: true, vtep: true });
    const docs = await regenerate();
    assert.deepEqual([...docs.keys()].map((f) => path.basename(f, '.md')).sort(), [...TABLE_ADAPTERS].sort());
    for (const [file, { current, expected }] of docs) {
      const id = path.basename(file, '.md');
      assert.ok(current.includes(BEGIN) && current.includes(END), `docs/adapters/${id}.md has no generated command table markers`);
      assert.ok(current === expected, `docs/adapters/${id}.md is out of date: run npm run docs:adapters`);
    }
  });
});
