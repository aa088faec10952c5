'use strict';
// Makes `npm start` and `npm test` work as the first command on a fresh clone: installs the locked dependencies
// with `npm ci` when node_modules is missing or older than package-lock.json. Prints what it does.
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const root = path.resolve(__dirname, '..');
const marker = path.join(root, 'node_modules', '.package-lock.json');
const lock = path.join(root, 'package-lock.json');

const stale = !fs.existsSync(marker) || fs.statSync(marker).mtimeMs < fs.statSync(lock).mtimeMs;
if (stale) {
  console.error('netloom: installing dependencies (npm ci; the first run builds better-sqlite3 from source, about 2 minutes) ...');
  const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error('netloom: npm ci failed; see the output above');
    process.exit(r.status ?? 1);
  }
}
