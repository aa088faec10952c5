import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { assessQuality } from '@netloom/conformance';

// Every adapter package carries a valid quality.yaml whose claimed tier it reaches, and every rule it marks done
// passes the automatic checks (STYLE.md "Quality scale per adapter").
const adaptersDir = path.resolve(__dirname, '..', '..', 'adapters');
const folders = fs
  .readdirSync(adaptersDir, { withFileTypes: true })
  .filter((d) => d.isDirectory() && d.name !== 'protocols')
  .map((d) => d.name)
  .sort();

describe('quality.yaml of every adapter', () => {
  for (const dir of folders) {
    it(`adapters/${dir}: valid, claim reached, automatic checks pass`, () => {
      const a = assessQuality(path.join(adaptersDir, dir));
      assert.deepEqual(a.problems, [], `adapters/${dir}/quality.yaml:\n  ${a.problems.join('\n  ')}`);
      process.stdout.write(`      ${a.adapter}: claims ${a.claimed}, reaches ${a.reached}\n`);
    });
  }
});
