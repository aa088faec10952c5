'use strict';
// Runs the benchmarks under bench/ (each *.bench.cjs), or only those whose name contains an argument:
//   npm run bench              all
//   npm run bench -- alloc     bench/allocators.bench.cjs
// Benchmarks print their figures and ratios; they assert nothing about time.
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const filters = process.argv.slice(2);
const files = fs.readdirSync(__dirname).filter((f) => f.endsWith('.bench.cjs')).filter((f) => filters.length === 0 || filters.some((x) => f.includes(x))).sort();
if (files.length === 0) {
  console.error(`no benchmark matches ${filters.join(' ')} (have: ${fs.readdirSync(__dirname).filter((f) => f.endsWith('.bench.cjs')).join(', ') || 'none'})`);
  process.exit(2);
}
let failed = 0;
for (const f of files) {
  console.log(`\n== ${f}`);
  const r = spawnSync(process.execPath, [path.join(__dirname, f)], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
