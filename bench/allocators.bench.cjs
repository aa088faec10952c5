'use strict';
// Allocator figures: how fast addresses and VLANs are handed out, on the in-memory store and on the embedded
// SQLite store (a real file, synchronous = FULL), and whether next-fit keeps the cost flat as a subnet fills.
// Prints figures and ratios; asserts nothing about time. Run: npm run bench -- alloc
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { IpamAllocator, VlanAllocator, MemoryStore } = require('@netloom/engine');
const { SqliteStore } = require('@netloom/adapter-sqlite');

const N = Number(process.env.BENCH_N ?? 2000);

async function timeIt(n, fn) {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await fn(i);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

async function ipamFill(store, label) {
  const ipam = new IpamAllocator({ store });
  await ipam.ensureSubnet({ subnet: 'bench', cidr: '10.0.0.0/16' });
  const first = await timeIt(N, (i) => ipam.allocate({ subnet: 'bench', owner: `ns/a-${i}` }));
  // The same N again after N more are held: next-fit should keep the cost per allocation flat (ratio ~1; the
  // first batch of the in-memory run also pays for JIT warm-up).
  await timeIt(N, (i) => ipam.allocate({ subnet: 'bench', owner: `ns/b-${i}` }));
  const third = await timeIt(N, (i) => ipam.allocate({ subnet: 'bench', owner: `ns/c-${i}` }));
  // Release every other address of the first batch (the cost of a release).
  const release = await timeIt(N / 2, (i) => ipam.release({ subnet: 'bench', owner: `ns/a-${i * 2}` }));
  console.log(
    `${label.padEnd(7)} IPAM /16: allocate ${(first / N).toFixed(3)} ms/op (first ${N}), ${(third / N).toFixed(3)} ms/op (after ${2 * N} held)` +
      `, ratio ${(third / first).toFixed(2)}; release ${(release / (N / 2)).toFixed(3)} ms/op`,
  );
  return first / N;
}

async function vlanFill(store, label) {
  const vlans = new VlanAllocator({ store });
  const nodes = 4;
  const per = 1000;
  const ms = await timeIt(nodes * per, (i) => vlans.allocate({ node: `node-${i % nodes}`, ls: `ls-${Math.floor(i / nodes)}` }));
  console.log(`${label.padEnd(7)} VLAN: ${nodes} nodes x ${per} LS: ${(ms / (nodes * per)).toFixed(3)} ms/op`);
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netloom-bench-'));
  try {
    const mem = await ipamFill(new MemoryStore(), 'memory');
    const sqlite = new SqliteStore({ path: path.join(dir, 'ipam.db') });
    const sql = await ipamFill(sqlite, 'sqlite');
    console.log(`sqlite/memory allocate ratio: ${(sql / mem).toFixed(1)}x`);
    await sqlite.close();
    await vlanFill(new MemoryStore(), 'memory');
    const sqlite2 = new SqliteStore({ path: path.join(dir, 'vlan.db') });
    await vlanFill(sqlite2, 'sqlite');
    await sqlite2.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
