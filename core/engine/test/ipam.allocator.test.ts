import { strict as assert } from 'node:assert';
import { ErrorCode } from '@netloom/domain';
import { IpamAllocator, MemoryStore } from '@netloom/engine';
import type { StorePort } from '@netloom/ports';
import { createHarness, rejects, STORE_KINDS, type StoreHarness } from './helpers';

/** Allocates for owners o0, o1, ... until the subnet is exhausted; returns the addresses in order. */
async function fill(ipam: IpamAllocator, subnet: string, prefix = 'o'): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < 300; i++) {
    try {
      out.push((await ipam.allocate({ subnet, owner: `${prefix}${i}` })).ip);
    } catch (e) {
      if ((e as { code?: string }).code === ErrorCode.EXHAUSTED) return out;
      throw e;
    }
  }
  throw new Error('never exhausted');
}

for (const kind of STORE_KINDS) {
  describe(`IpamAllocator (${kind} store)`, () => {
    let h: StoreHarness;
    let store: StorePort;
    let ipam: IpamAllocator;
    beforeEach(() => {
      h = createHarness(kind);
      store = h.store;
      ipam = new IpamAllocator({ store });
    });
    afterEach(() => h.dispose());

    describe('subnets', () => {
      it('defines a subnet idempotently, with the first usable address as default gateway', async () => {
        const a = await ipam.ensureSubnet({ subnet: 's1', cidr: '10.0.0.0/27' });
        assert.deepEqual(a, { subnet: 's1', cidr: '10.0.0.0/27', family: 4, prefix: 27, gateway: '10.0.0.1', exclude: [], capacity: 29n, changed: true });
        const b = await ipam.ensureSubnet({ subnet: 's1', cidr: '10.0.0.0/27' });
        assert.equal(b.changed, false);
        assert.deepEqual((await store.readJournal({ type: 'ipam.subnet' })).length, 1);
        assert.equal((await ipam.getSubnet({ subnet: 's1' }))?.cidr, '10.0.0.0/27');
        assert.equal(await ipam.getSubnet({ subnet: 'nope' }), undefined);
      });

      it('rejects a bad definition, naming every problem', async () => {
        const e = await rejects(ipam.ensureSubnet({ subnet: 'bad id!', cidr: '10.0.0.5/24', gateway: 'x', exclude: ['10.1.0.0..10.1.0.5'] }), ErrorCode.INPUT_INVALID);
        assert.match(e.message, /subnet: "bad id!" is not an id/);
        assert.match(e.message, /cidr: .*host bits are set; the network is 10\.0\.0\.0\/24/);
        const e2 = await rejects(
          ipam.ensureSubnet({ subnet: 's', cidr: '10.0.0.0/24', gateway: '10.0.0.255', exclude: ['10.1.0.0..10.1.0.5', 'fd00::1', 'junk', '10.0.0.0/16'] }),
          ErrorCode.INPUT_INVALID,
        );
        assert.match(e2.message, /gateway: 10\.0\.0\.255 is the broadcast address of 10\.0\.0\.0\/24/);
        assert.match(e2.message, /exclude\[0\]: 10\.1\.0\.0\.\.10\.1\.0\.5 is not inside 10\.0\.0\.0\/24/);
        assert.match(e2.message, /exclude\[1\]: fd00::1 is IPv6, the subnet is IPv4/);
        assert.match(e2.message, /exclude\[2\]: .*junk/);
        assert.match(e2.message, /exclude\[3\]: 10\.0\.0\.0\/16 is not inside/);
        await rejects(ipam.ensureSubnet({ subnet: 's', cidr: '10.0.0.0/24', gateway: '10.1.0.1' }), ErrorCode.INPUT_INVALID, /gateway: 10\.1\.0\.1 is not inside 10\.0\.0\.0\/24/);
      });

      it('refuses to allocate in a subnet that is not defined', async () => {
        await rejects(ipam.allocate({ subnet: 'nope', owner: 'a' }), ErrorCode.NOT_FOUND, /subnet "nope" is not defined/);
      });

      it('refuses a change that would reserve or cut off a held address, and allows widening', async () => {
        await ipam.ensureSubnet({ subnet: 's', cidr: '10.0.0.0/28' });
        const a = await ipam.allocate({ subnet: 's', owner: 'ns/a' }); // 10.0.0.2
        assert.equal(a.ip, '10.0.0.2');
        const e = await rejects(ipam.ensureSubnet({ subnet: 's', cidr: '10.0.0.0/28', exclude: ['10.0.0.2..10.0.0.4'] }), ErrorCode.CONFLICT);
        assert.match(e.message, /10\.0\.0\.2 \(ns\/a\)/);
        await rejects(ipam.ensureSubnet({ subnet: 's', cidr: '10.0.0.0/28', gateway: '10.0.0.2' }), ErrorCode.CONFLICT, /10\.0\.0\.2 \(ns\/a\)/);
        await rejects(ipam.ensureSubnet({ subnet: 's', cidr: '10.0.1.0/28' }), ErrorCode.CONFLICT, /outside the CIDR/);
        // The refused changes left the subnet as it was, and usable.
        assert.deepEqual(await ipam.getSubnet({ subnet: 's' }), { subnet: 's', cidr: '10.0.0.0/28', family: 4, prefix: 28, gateway: '10.0.0.1', exclude: [], capacity: 13n });
        assert.equal((await ipam.allocate({ subnet: 's', owner: 'ns/b' })).ip, '10.0.0.3');
        const wide = await ipam.ensureSubnet({ subnet: 's', cidr: '10.0.0.0/27', exclude: ['10.0.0.20..10.0.0.29'] });
        assert.equal(wide.changed, true);
        assert.equal(wide.capacity, 32n - 3n - 10n);
        assert.equal((await ipam.allocate({ subnet: 's', owner: 'ns/a' })).ip, '10.0.0.2');
      });

      it('deletes an empty subnet only', async () => {
        await ipam.ensureSubnet({ subnet: 's', cidr: '10.0.0.0/29' });
        await ipam.allocate({ subnet: 's', owner: 'a', sticky: true });
        await ipam.release({ subnet: 's', owner: 'a' });
        await rejects(ipam.deleteSubnet({ subnet: 's' }), ErrorCode.CONFLICT, /still has 1 address held \(10\.0\.0\.2 by a\)/);
        await ipam.forget({ subnet: 's', owner: 'a' });
        assert.deepEqual(await ipam.deleteSubnet({ subnet: 's' }), { deleted: true });
        assert.deepEqual(await ipam.deleteSubnet({ subnet: 's' }), { deleted: false });
        await rejects(ipam.allocate({ subnet: 's', owner: 'a' }), ErrorCode.NOT_FOUND);
        assert.deepEqual(await store.list({ prefix: 'ipam/s/' }), []);
      });

      it('an allocation waits while a subnet is frozen by a change, and ensureSubnet recovers a stale freeze', async () => {
        await ipam.ensureSubnet({ subnet: 's', cidr: '10.0.0.0/29' });
        const cfg = (await store.get({ key: 'ipam/s/config' }))!;
        // A changer that froze the subnet and died.
        const frozen = await store.commit({ puts: [{ key: 'ipam/s/config', value: { ...(cfg.value as object), frozen: true } }] });
        assert.ok(frozen.ok);
        const pending = ipam.allocate({ subnet: 's', owner: 'a' });
        await new Promise((r) => setTimeout(r, 30));
        assert.equal(await store.get({ key: 'ipam/s/owner/a' }), undefined, 'nothing is allocated while frozen');
        assert.equal((await ipam.ensureSubnet({ subnet: 's', cidr: '10.0.0.0/29' })).changed, true);
        assert.equal((await pending).ip, '10.0.0.2');
      });
    });

    describe('reserved addresses', () => {
      it('never hands out the gateway, the network or the broadcast address', async () => {
        await ipam.ensureSubnet({ subnet: 's', cidr: '10.0.0.0/28', gateway: '10.0.0.9' });
        const ips = await fill(ipam, 's');
        assert.equal(ips.length, 13);
        for (const bad of ['10.0.0.0', '10.0.0.9', '10.0.0.15']) assert.ok(!ips.includes(bad), `${bad} handed out`);
        assert.equal(new Set(ips).size, 13);
      });

      it('never hands out excluded addresses', async () => {
        await ipam.ensureSubnet({ subnet: 's', cidr: '10.0.0.0/27', exclude: ['10.0.0.2..10.0.0.5', '10.0.0.16/30', '10.0.0.30'] });
        const ips = await fill(ipam, 's');
        assert.equal(ips.length, 32 - 3 - 4 - 4 - 1);
        for (const ip of ips) {
          const last = Number(ip.split('.')[3]);
          assert.ok(!((last >= 2 && last <= 5) || (last >= 16 && last <= 19) || last === 30 || last === 0 || last === 1 || last === 31), `${ip} handed out`);
        }
        assert.deepEqual((await ipam.getSubnet({ subnet: 's' }))?.exclude, ['10.0.0.2..10.0.0.5', '10.0.0.16..10.0.0.19', '10.0.0.30']);
      });

      it('a /31 has two host addresses (RFC 3021); a /32 has one', async () => {
        const p31 = await ipam.ensureSubnet({ subnet: 'p31', cidr: '10.0.0.0/31' });
        assert.deepEqual([p31.gateway, p31.capacity], ['10.0.0.0', 1n]);
        assert.deepEqual(await fill(ipam, 'p31'), ['10.0.0.1']);
        await ipam.ensureSubnet({ subnet: 'p31n', cidr: '10.0.0.2/31', gateway: null });
        assert.deepEqual(await fill(ipam, 'p31n'), ['10.0.0.2', '10.0.0.3']);
        const p32 = await ipam.ensureSubnet({ subnet: 'p32', cidr: '10.0.0.9/32' });
        assert.deepEqual([p32.gateway, p32.capacity], [null, 1n]);
        assert.deepEqual(await fill(ipam, 'p32'), ['10.0.0.9']);
      });

      it('IPv6: no broadcast; the subnet-router anycast address is skipped except in a /127', async () => {
        await ipam.ensureSubnet({ subnet: 'v6', cidr: 'fd00:1::/126' });
        assert.deepEqual(await fill(ipam, 'v6'), ['fd00:1::2', 'fd00:1::3']);
        await ipam.ensureSubnet({ subnet: 'p127', cidr: 'fd00:2::/127', gateway: null });
        assert.deepEqual(await fill(ipam, 'p127'), ['fd00:2::', 'fd00:2::1']);
        await rejects(ipam.allocate({ subnet: 'v6', owner: 'x', ip: 'fd00:1::' }), ErrorCode.CONFLICT, /subnet-router anycast/);
      });
    });

    describe('fixed IPs', () => {
      beforeEach(async () => {
        await ipam.ensureSubnet({ subnet: 's', cidr: '10.0.0.0/27', exclude: ['10.0.0.20..10.0.0.22'] });
      });

      it('grants a free fixed IP, idempotently for the same owner', async () => {
        const a = await ipam.allocate({ subnet: 's', owner: 'ns/db-0', ip: '10.0.0.7' });
        assert.deepEqual([a.ip, a.created, a.gateway, a.prefix], ['10.0.0.7', true, '10.0.0.1', 27]);
        const again = await ipam.allocate({ subnet: 's', owner: 'ns/db-0', ip: '10.0.0.7' });
        assert.deepEqual([again.ip, again.created], ['10.0.0.7', false]);
        const plain = await ipam.allocate({ subnet: 's', owner: 'ns/db-0' });
        assert.equal(plain.ip, '10.0.0.7');
      });

      it('refuses a fixed IP held by another owner, naming the holder', async () => {
        await ipam.allocate({ subnet: 's', owner: 'ns/db-0', ip: '10.0.0.7' });
        const e = await rejects(ipam.allocate({ subnet: 's', owner: 'ns/db-1', ip: '10.0.0.7' }), ErrorCode.CONFLICT);
        assert.match(e.message, /10\.0\.0\.7 in 10\.0\.0\.0\/27 is held by ns\/db-0/);
        assert.equal(e.details.owner, 'ns/db-0');
        assert.equal(await ipam.lookup({ subnet: 's', owner: 'ns/db-1' }), undefined);
      });

      it('refuses the gateway, network, broadcast and excluded addresses with the reason', async () => {
        await rejects(ipam.allocate({ subnet: 's', owner: 'x', ip: '10.0.0.1' }), ErrorCode.CONFLICT, /10\.0\.0\.1 is the gateway of 10\.0\.0\.0\/27/);
        await rejects(ipam.allocate({ subnet: 's', owner: 'x', ip: '10.0.0.0' }), ErrorCode.CONFLICT, /is the network address/);
        await rejects(ipam.allocate({ subnet: 's', owner: 'x', ip: '10.0.0.31' }), ErrorCode.CONFLICT, /is the broadcast address/);
        await rejects(ipam.allocate({ subnet: 's', owner: 'x', ip: '10.0.0.21' }), ErrorCode.CONFLICT, /is in the exclude range 10\.0\.0\.20\.\.10\.0\.0\.22/);
      });

      it('rejects a fixed IP outside the CIDR or of the other family as bad input', async () => {
        await rejects(ipam.allocate({ subnet: 's', owner: 'x', ip: '10.0.1.5' }), ErrorCode.INPUT_INVALID, /10\.0\.1\.5 is not inside the subnet's CIDR 10\.0\.0\.0\/27/);
        await rejects(ipam.allocate({ subnet: 's', owner: 'x', ip: 'fd00::5' }), ErrorCode.INPUT_INVALID, /not inside/);
        await rejects(ipam.allocate({ subnet: 's', owner: 'x', ip: '10.0.0.300' }), ErrorCode.INPUT_INVALID, /is not an IP address/);
      });

      it('refuses a fixed IP for an owner that already holds another address', async () => {
        await ipam.allocate({ subnet: 's', owner: 'x' });
        await rejects(ipam.allocate({ subnet: 's', owner: 'x', ip: '10.0.0.9' }), ErrorCode.CONFLICT, /owner x already holds 10\.0\.0\.2; release it before asking for 10\.0\.0\.9/);
      });

      it('a fixed IP is never handed out dynamically while held', async () => {
        await ipam.allocate({ subnet: 's', owner: 'fixed', ip: '10.0.0.3' });
        const ips = await fill(ipam, 's');
        assert.ok(!ips.includes('10.0.0.3'));
        assert.equal(ips.length, 29 - 3 - 1);
      });
    });

    describe('owners, release and reuse', () => {
      beforeEach(async () => {
        await ipam.ensureSubnet({ subnet: 's', cidr: '10.0.0.0/29' }); // hosts .2 .. .6
      });

      it('the same owner gets the same address; the allocation is journaled once', async () => {
        const a = await ipam.allocate({ subnet: 's', owner: 'ns/web-0' });
        const b = await ipam.allocate({ subnet: 's', owner: 'ns/web-0' });
        assert.deepEqual([a.ip, a.created, b.ip, b.created], ['10.0.0.2', true, '10.0.0.2', false]);
        const journal = await store.readJournal({ type: 'ipam.allocate' });
        assert.deepEqual(journal.map((r) => r.data), [{ subnet: 's', owner: 'ns/web-0', ip: '10.0.0.2', sticky: false }]);
        assert.deepEqual(await ipam.lookup({ subnet: 's', owner: 'ns/web-0' }), { subnet: 's', owner: 'ns/web-0', ip: '10.0.0.2', sticky: false, state: 'allocated' });
        assert.deepEqual(await ipam.holder({ subnet: 's', ip: '10.0.0.2' }), { subnet: 's', owner: 'ns/web-0', ip: '10.0.0.2', sticky: false, state: 'allocated' });
      });

      it('next-fit: a released address is reused once the cursor wraps, not at once', async () => {
        const [a, b] = [await ipam.allocate({ subnet: 's', owner: 'a' }), await ipam.allocate({ subnet: 's', owner: 'b' })];
        assert.deepEqual([a.ip, b.ip], ['10.0.0.2', '10.0.0.3']);
        assert.deepEqual(await ipam.release({ subnet: 's', owner: 'a' }), { released: true, ip: '10.0.0.2', kept: false });
        assert.equal((await ipam.allocate({ subnet: 's', owner: 'c' })).ip, '10.0.0.4');
        assert.deepEqual(await fill(ipam, 's', 'more'), ['10.0.0.5', '10.0.0.6', '10.0.0.2']);
        await ipam.release({ subnet: 's', owner: 'b' });
        assert.equal((await ipam.allocate({ subnet: 's', owner: 'late' })).ip, '10.0.0.3');
      });

      it('release is idempotent and needs no subnet definition', async () => {
        assert.deepEqual(await ipam.release({ subnet: 's', owner: 'nobody' }), { released: false, kept: false });
        assert.deepEqual(await ipam.release({ subnet: 'undefined-subnet', owner: 'nobody' }), { released: false, kept: false });
        await ipam.allocate({ subnet: 's', owner: 'a' });
        assert.equal((await ipam.release({ subnet: 's', owner: 'a' })).released, true);
        assert.equal((await ipam.release({ subnet: 's', owner: 'a' })).released, false);
        assert.deepEqual((await store.readJournal({ type: 'ipam.release' })).length, 1);
        assert.equal(await ipam.lookup({ subnet: 's', owner: 'a' }), undefined);
        assert.equal(await ipam.holder({ subnet: 's', ip: '10.0.0.2' }), undefined);
      });

      it('exhaustion names the subnet, its CIDR and how many addresses are in use', async () => {
        await fill(ipam, 's');
        const e = await rejects(ipam.allocate({ subnet: 's', owner: 'one-too-many' }), ErrorCode.EXHAUSTED);
        assert.match(e.message, /^subnet "s" \(10\.0\.0\.0\/29\) is exhausted: 5 of 5 assignable addresses are in use; /);
        assert.deepEqual(await ipam.usage({ subnet: 's' }), {
          subnet: 's', cidr: '10.0.0.0/29', family: 4, prefix: 29, gateway: '10.0.0.1', exclude: [], capacity: 5n, inUse: 5, reserved: 0, free: 0n,
        });
      });

      it('owners may be any text: they are encoded into store keys', async () => {
        const owners = ['ns/web-0', 'ns@2fweb-0', 'ünïcode/ä b', 'a:b.c_d'];
        const ips = [];
        for (const owner of owners) ips.push((await ipam.allocate({ subnet: 's', owner })).ip);
        assert.equal(new Set(ips).size, owners.length, 'distinct owners, distinct addresses');
        for (const [i, owner] of owners.entries()) assert.equal((await ipam.lookup({ subnet: 's', owner }))?.ip, ips[i]);
        assert.deepEqual((await ipam.list({ subnet: 's' })).map((b) => b.owner), owners);
      });

      it('rejects bad ids and owners', async () => {
        await rejects(ipam.allocate({ subnet: 's', owner: '' }), ErrorCode.INPUT_INVALID, /owner: required/);
        await rejects(ipam.allocate({ subnet: 's', owner: 'a\nb' }), ErrorCode.INPUT_INVALID, /control characters/);
        await rejects(ipam.allocate({ subnet: 's', owner: 'x'.repeat(254) }), ErrorCode.INPUT_INVALID, /at most 253/);
        await rejects(ipam.allocate({ subnet: '../s', owner: 'a' }), ErrorCode.INPUT_INVALID, /not an id/);
        await rejects(ipam.release({ subnet: 's/x', owner: 'a' }), ErrorCode.INPUT_INVALID, /not an id/);
      });
    });

    describe('sticky owners', () => {
      beforeEach(async () => {
        await ipam.ensureSubnet({ subnet: 's', cidr: '10.0.0.0/29' }); // hosts .2 .. .6
      });

      it('a sticky owner gets its address back after release, and nobody else gets it meanwhile', async () => {
        await ipam.allocate({ subnet: 's', owner: 'other' }); // .2
        const a = await ipam.allocate({ subnet: 's', owner: 'db/db-0', sticky: true }); // .3
        assert.deepEqual([a.ip, a.sticky], ['10.0.0.3', true]);
        assert.deepEqual(await ipam.release({ subnet: 's', owner: 'db/db-0' }), { released: true, ip: '10.0.0.3', kept: true });
        assert.deepEqual(await ipam.lookup({ subnet: 's', owner: 'db/db-0' }), { subnet: 's', owner: 'db/db-0', ip: '10.0.0.3', sticky: true, state: 'reserved' });
        const e = await rejects(ipam.allocate({ subnet: 's', owner: 'thief', ip: '10.0.0.3' }), ErrorCode.CONFLICT);
        assert.match(e.message, /10\.0\.0\.3 in 10\.0\.0\.0\/29 is held by db\/db-0 \(kept for it by a sticky binding\)/);
        const rest = await fill(ipam, 's', 'filler');
        assert.deepEqual(rest, ['10.0.0.4', '10.0.0.5', '10.0.0.6']);
        const ex = await rejects(ipam.allocate({ subnet: 's', owner: 'late' }), ErrorCode.EXHAUSTED);
        assert.match(ex.message, /5 of 5 assignable addresses are in use \(1 kept for sticky owners\)/);
        // The pod is re-created under the same owner key (even without asking for sticky again).
        const back = await ipam.allocate({ subnet: 's', owner: 'db/db-0' });
        assert.deepEqual([back.ip, back.sticky, back.created], ['10.0.0.3', true, true]);
        assert.deepEqual((await store.readJournal({ type: 'ipam.allocate' })).at(-1)?.data, { subnet: 's', owner: 'db/db-0', ip: '10.0.0.3', sticky: true, restored: true });
      });

      it('the sticky binding survives a restart of the allocator (it is in the store)', async () => {
        await ipam.allocate({ subnet: 's', owner: 'db-0', sticky: true });
        await ipam.release({ subnet: 's', owner: 'db-0' });
        const other = new IpamAllocator({ store: h.open() });
        assert.equal((await other.allocate({ subnet: 's', owner: 'x' })).ip, '10.0.0.3');
        assert.equal((await other.allocate({ subnet: 's', owner: 'db-0' })).ip, '10.0.0.2');
      });

      it('forget frees a released sticky address; forget while held makes it a plain allocation', async () => {
        await ipam.allocate({ subnet: 's', owner: 'a', sticky: true }); // .2
        await ipam.release({ subnet: 's', owner: 'a' });
        assert.deepEqual(await ipam.forget({ subnet: 's', owner: 'a' }), { forgotten: true, ip: '10.0.0.2', freed: true });
        assert.equal(await ipam.lookup({ subnet: 's', owner: 'a' }), undefined);
        assert.equal((await ipam.allocate({ subnet: 's', owner: 'b', ip: '10.0.0.2' })).ip, '10.0.0.2');
        await ipam.allocate({ subnet: 's', owner: 'c', sticky: true }); // .3
        assert.deepEqual(await ipam.forget({ subnet: 's', owner: 'c' }), { forgotten: true, ip: '10.0.0.3', freed: false });
        assert.equal((await ipam.lookup({ subnet: 's', owner: 'c' }))?.sticky, false);
        assert.deepEqual(await ipam.release({ subnet: 's', owner: 'c' }), { released: true, ip: '10.0.0.3', kept: false });
        assert.equal(await ipam.holder({ subnet: 's', ip: '10.0.0.3' }), undefined);
        assert.deepEqual(await ipam.forget({ subnet: 's', owner: 'c' }), { forgotten: false, freed: false });
      });

      it('asking for sticky later makes an existing allocation sticky', async () => {
        await ipam.allocate({ subnet: 's', owner: 'a' });
        const s = await ipam.allocate({ subnet: 's', owner: 'a', sticky: true });
        assert.deepEqual([s.ip, s.sticky, s.created], ['10.0.0.2', true, false]);
        assert.equal((await ipam.release({ subnet: 's', owner: 'a' })).kept, true);
      });

      it('a sticky owner asking for another fixed IP is refused until it forgets', async () => {
        await ipam.allocate({ subnet: 's', owner: 'a', sticky: true });
        await ipam.release({ subnet: 's', owner: 'a' });
        await rejects(ipam.allocate({ subnet: 's', owner: 'a', ip: '10.0.0.5' }), ErrorCode.CONFLICT, /sticky binding to 10\.0\.0\.2; forget it/);
        assert.equal((await ipam.allocate({ subnet: 's', owner: 'a', ip: '10.0.0.2' })).ip, '10.0.0.2');
      });
    });

    describe('large subnets', () => {
      it('does not scan from the start: each allocation costs a bounded number of store operations (IPv4 /8, IPv6 /64)', async function () {
        this.timeout(60_000);
        let ops = 0;
        const counted = new MemoryStore({ beforeOperation: async () => void ops++ });
        const big = new IpamAllocator({ store: kind === 'memory' ? counted : store });
        const cost = async (subnet: string, owner: string): Promise<number> => {
          const before = ops;
          await big.allocate({ subnet, owner });
          return ops - before;
        };
        await big.ensureSubnet({ subnet: 'v4', cidr: '10.0.0.0/8' });
        await big.ensureSubnet({ subnet: 'v6', cidr: 'fd00::/64' });
        const n = kind === 'memory' ? 500 : 100;
        for (let i = 0; i < n; i++) {
          await big.allocate({ subnet: 'v4', owner: `a${i}` });
          await big.allocate({ subnet: 'v6', owner: `a${i}` });
        }
        if (kind === 'memory') {
          assert.ok((await cost('v4', 'last')) <= 7, 'IPv4 /8: a handful of reads and one commit');
          assert.ok((await cost('v6', 'last')) <= 7, 'IPv6 /64: a handful of reads and one commit');
        }
        // Next-fit from the cursor: allocation number k (from 0) gets 10.0.0.0 + 2 + k.
        const k = kind === 'memory' ? n + 1 : n;
        assert.equal((await big.allocate({ subnet: 'v4', owner: 'next' })).ip, `10.0.${Math.floor((k + 2) / 256)}.${(k + 2) % 256}`);
        assert.equal((await big.usage({ subnet: 'v6' })).capacity, (1n << 64n) - 2n);
      });
    });
  });
}
