'use strict';
// Runs the benchmarks under bench/ (each *.bench.cjs), or only those whose name contains an argument:
//   npm run bench              all *.bench.cjs
//   npm run bench -- alloc     bench/allocators.bench.cjs
//   npm run bench -- lab       bench/lab.cjs (opt-in, see below)
// Benchmarks print their figures and ratios; they assert nothing about time.
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

// Opt-in benchmarks run only when an argument names them: they take minutes and build network namespaces as root.
//   lab.cjs   netloom lab up + BENCH_PODS pods: pod-add -> reachable, device transactions per reconcile pass
const OPT_IN = ['lab.cjs'];

const filters = process.argv.slice(2);
const all = [...fs.readdirSync(__dirname).filter((f) => f.endsWith('.bench.cjs')), ...OPT_IN];
const files = all.filter((f) => (filters.length === 0 ? !OPT_IN.includes(f) : filters.some((x) => f.includes(x)))).sort();
if (files.length === 0) {
  console.error(`no benchmark matches ${filters.join(' ')} (have: ${all.join(', ') || 'none'})`);
  process.exit(2);
}
let failed = 0;
for (const f of files) {
  console.log(`\n== ${f}`);
  const r = spawnSync(process.execPath, [path.join(__dirname, f)], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
