import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  Invariant,
  InvariantError,
  NetworkInvariantsError,
  assertNetwork,
  checkNetwork,
  cidrFirst,
  cidrLast,
  createLogicalSwitch,
  createSubnet,
  createVpc,
  ipFromBigint,
  makeCidr,
  formatCidr,
  type Endpoint,
  type NetworkState,
} from '@netloom/domain';
import { EndpointMother, NetworkMother, NodeMother, VpcMother, type FullNetworkState } from '@netloom/domain/testing';

/** Asserts the state has exactly one violation, of `invariant`, whose message matches; returns it. */
function onlyViolation(state: NetworkState, invariant: Invariant, message?: RegExp): InvariantError {
  const found = checkNetwork(state);
  assert.equal(found.length, 1, `expected one violation, got ${found.length}:\n${found.map((e) => `[${e.invariant}] ${e.message}`).join('\n')}`);
  const e = found[0] as InvariantError;
  assert.equal(e.invariant, invariant, e.message);
  if (message) assert.match(e.message, message);
  return e;
}

/** The complete valid state with one list changed. */
function change<K extends keyof FullNetworkState>(key: K, fn: (list: FullNetworkState[K]) => FullNetworkState[K]): FullNetworkState {
  const s = NetworkMother.complete();
  return { ...s, [key]: fn(s[key]) };
}

/** Replaces the endpoint `id` by a copy with `patch` applied. */
function patchEndpoint(id: string, patch: Partial<Endpoint>): FullNetworkState {
  return change('endpoints', (eps) => eps.map((e) => (e.id === id ? { ...e, ...patch } : e)));
}

describe('network invariants', () => {
  describe('valid states', () => {
    it('the empty state is valid', () => {
      assert.deepEqual(checkNetwork({}), []);
      assert.doesNotThrow(() => assertNetwork({}));
    });

    it('the complete mother state is valid (every model used)', () => {
      assert.deepEqual(checkNetwork(NetworkMother.complete()), []);
    });

    it('a VPC with dual-stack subnets is valid', () => {
      assert.deepEqual(checkNetwork(VpcMother.withSubnets(4, { family: 'dual' })), []);
    });

    it('overlapping CIDRs and equal endpoint addresses in different VPCs are accepted', () => {
      const a = VpcMother.withSubnets(1, { name: 'a', index: 0 });
      const b = VpcMother.withSubnets(1, { name: 'b', index: 1 });
      assert.equal(a.subnets[0]?.ipv4?.cidr, b.subnets[0]?.ipv4?.cidr);
      const state = NetworkMother.merge(a, b, {
        nodes: [NodeMother.network('node-1')],
        endpoints: [EndpointMother.inSubnet(a.subnets[0]!, { vlan: 10 }), EndpointMother.inSubnet(b.subnets[0]!, { vlan: 11 })],
      });
      assert.equal(state.endpoints[0]?.ips[0], state.endpoints[1]?.ips[0]);
      assert.deepEqual(checkNetwork(state), []);
    });

    it('IPv4 and IPv6 subnets of one VPC never overlap each other', () => {
      const v4 = createSubnet({ name: 's4', vpc: 'a', cidrs: ['0.0.0.0/0'], gateways: ['10.0.0.1'] });
      const v6 = createSubnet({ name: 's6', vpc: 'a', cidrs: ['::/0'] });
      assert.deepEqual(checkNetwork({ vpcs: [createVpc({ name: 'a', subnets: ['s4', 's6'] })], subnets: [v4, v6] }), []);
    });

    it('one VLAN for one LS on two nodes, and one VLAN for two LSs on different nodes, are fine', () => {
      const state = change('endpoints', (eps) => [
        ...eps,
        EndpointMother.inSubnet(NetworkMother.complete().subnets[0]!, { index: 5, node: 'node-2', vlan: 101 }),
      ]);
      assert.deepEqual(checkNetwork(state), []);
    });
  });

  describe('per-object invariants are re-checked', () => {
    it('a hand-made subnet with its gateway outside is reported with the subnet invariant, and not as missing', () => {
      const e = onlyViolation(
        change('subnets', (ss) => ss.map((s) => (s.name === 'vpc-a-s0' ? { ...s, ipv4: { ...s.ipv4!, gateway: '10.9.9.9' } } : s))),
        Invariant.GATEWAY_OUTSIDE_CIDR,
        /subnet "vpc-a-s0" gateway 10\.9\.9\.9 is outside 10\.0\.0\.0\/24/,
      );
      assert.equal(e.details['name'], 'vpc-a-s0');
    });

    it('a hand-made endpoint with a bad MAC', () => {
      onlyViolation(patchEndpoint('vpc-a-s0-ep-1', { mac: 'ff:ff:ff:ff:ff:ff' }), Invariant.MAC_INVALID, /endpoint "vpc-a-s0-ep-1" mac/);
    });

    it('a malformed object (null, wrong shape) is reported, not thrown', () => {
      const found = checkNetwork({ vpcs: [null as never], endpoints: [{ id: 'x' } as never] });
      assert.deepEqual(found.map((e) => e.invariant), [Invariant.VALUE_INVALID, Invariant.NAME_INVALID]);
      assert.match(found[0]!.message, /VPC must be an object, got null/);
      assert.match(found[1]!.message, /endpoint "x" vpc undefined is not allowed/);
    });

    it('a state read back from JSON (plain objects) is validated and accepted', () => {
      const state = JSON.parse(JSON.stringify(NetworkMother.complete())) as NetworkState;
      assert.deepEqual(checkNetwork(state), []);
    });

    it('a hand-made LS with a VNI out of range', () => {
      onlyViolation(change('logicalSwitches', (l) => l.map((x, i) => (i === 0 ? { ...x, l2Vni: 0 } : x))), Invariant.VNI_RANGE);
    });
  });

  describe('names unique per kind', () => {
    it('duplicate: two VPCs with one name', () => {
      onlyViolation(change('vpcs', (v) => [...v, v[0]!]), Invariant.DUPLICATE, /VPC "vpc-a" is defined twice/);
    });
    it('duplicate: two endpoints with one id', () => {
      onlyViolation(change('endpoints', (e) => [...e, e[0]!]), Invariant.DUPLICATE, /endpoint "vpc-a-s0-ep-0" is defined twice/);
    });
    it('duplicate: two nodes, two LSs, two subnets with one name', () => {
      assert.ok(checkNetwork(change('nodes', (n) => [...n, n[0]!])).some((e) => e.invariant === Invariant.DUPLICATE && /node "node-1" is defined twice/.test(e.message)));
      assert.ok(checkNetwork(change('logicalSwitches', (n) => [...n, n[0]!])).some((e) => /LS "vpc-a-s0" is defined twice/.test(e.message)));
      assert.ok(checkNetwork(change('subnets', (n) => [...n, n[0]!])).some((e) => /subnet "vpc-a-s0" is defined twice/.test(e.message)));
    });
  });

  describe('subnet overlap', () => {
    /** A dual-stack VPC with two subnets (no endpoints), the second one's CIDRs replaced. */
    const withSecondCidrs = (cidrs: string[]): NetworkState => {
      const v = VpcMother.withSubnets(2, { family: 'dual' });
      const s1 = v.subnets[1]!;
      return { ...v, subnets: [v.subnets[0]!, createSubnet({ name: s1.name, vpc: s1.vpc, cidrs })] };
    };

    it('the unchanged VPC is valid', () => {
      assert.deepEqual(checkNetwork(withSecondCidrs(['10.0.1.0/24', 'fd00:0:1::/64'])), []);
    });

    it('subnet-overlap: two IPv4 subnets of one VPC', () => {
      const e = onlyViolation(
        withSecondCidrs(['10.0.0.128/25', 'fd00:0:1::/64']),
        Invariant.SUBNET_OVERLAP,
        /subnet "vpc-a-s1" 10\.0\.0\.128\/25 overlaps subnet "vpc-a-s0" 10\.0\.0\.0\/24 in VPC "vpc-a"/,
      );
      assert.equal(e.details['other'], 'vpc-a-s0');
      assert.equal(e.details['vpc'], 'vpc-a');
    });

    it('subnet-overlap: two IPv6 subnets of one VPC (IPv4 disjoint)', () => {
      onlyViolation(withSecondCidrs(['10.0.1.0/24', 'fd00::/48']), Invariant.SUBNET_OVERLAP, /fd00::\/48 overlaps subnet "vpc-a-s0" fd00::\/64/);
    });

    it('subnet-overlap: identical CIDRs', () => {
      onlyViolation(withSecondCidrs(['10.0.0.0/24', 'fd00:0:1::/64']), Invariant.SUBNET_OVERLAP);
    });

    it('subnet-overlap: overlapping in both families is two violations', () => {
      const found = checkNetwork(withSecondCidrs(['10.0.0.0/16', 'fd00::/32']));
      assert.deepEqual(found.map((e) => e.invariant), [Invariant.SUBNET_OVERLAP, Invariant.SUBNET_OVERLAP]);
    });

    it('an endpoint outside its subnet after the subnet changed is reported too (both violations)', () => {
      const found = checkNetwork(change('subnets', (ss) => ss.map((x) => (x.name === 'vpc-a-s1' ? createSubnet({ name: x.name, vpc: x.vpc, cidrs: ['10.0.0.128/25', 'fd00:0:1::/64'] }) : x))));
      assert.deepEqual(found.map((e) => e.invariant).sort(), [Invariant.IP_OUTSIDE_SUBNET, Invariant.SUBNET_OVERLAP]);
    });

    it('every overlapping pair is reported', () => {
      const subnets = ['10.0.0.0/16', '10.0.1.0/24', '10.0.2.0/24', '10.1.0.0/24'].map((c, i) => createSubnet({ name: `s${i}`, vpc: 'a', cidrs: [c] }));
      const found = checkNetwork({ vpcs: [createVpc({ name: 'a', subnets: subnets.map((s) => s.name) })], subnets });
      assert.deepEqual(
        found.map((e) => `${e.details['other']}-${e.details['name']}`),
        ['s0-s1', 's0-s2'],
      );
      assert.ok(found.every((e) => e.invariant === Invariant.SUBNET_OVERLAP));
    });

    it('property: for random subnets in one VPC, an overlap is reported iff a brute-force pairwise check finds one', () => {
      // IPv4 blocks /24../30 inside 10.0.0.0/22: small enough to enumerate every address.
      const block = fc
        .tuple(fc.integer({ min: 0, max: 1023 }), fc.integer({ min: 24, max: 30 }))
        .map(([offset, prefix]) => makeCidr(ipFromBigint(4, 0x0a000000n + BigInt(offset)), prefix, { strict: false }));
      fc.assert(
        fc.property(fc.array(block, { minLength: 0, maxLength: 8 }), (blocks) => {
          const subnets = blocks.map((c, i) => createSubnet({ name: `s${i}`, vpc: 'a', cidrs: [formatCidr(c)] }));
          const state: NetworkState = { vpcs: [createVpc({ name: 'a', subnets: subnets.map((s) => s.name) })], subnets };
          const reported = new Set(
            checkNetwork(state)
              .filter((e) => e.invariant === Invariant.SUBNET_OVERLAP)
              .map((e) => [String(e.details['name']), String(e.details['other'])].sort().join('|')),
          );
          const brute = new Set<string>();
          for (let i = 0; i < blocks.length; i++) {
            for (let j = i + 1; j < blocks.length; j++) {
              const a = blocks[i]!;
              const b = blocks[j]!;
              const addrs = new Set<bigint>();
              for (let v = cidrFirst(a); v <= cidrLast(a); v++) addrs.add(v);
              let shared = false;
              for (let v = cidrFirst(b); v <= cidrLast(b) && !shared; v++) shared = addrs.has(v);
              if (shared) brute.add([`s${i}`, `s${j}`].sort().join('|'));
            }
          }
          assert.deepEqual([...reported].sort(), [...brute].sort());
          assert.equal(checkNetwork(state).length, brute.size, 'nothing but overlaps is reported');
        }),
        { numRuns: 300 },
      );
    });

    it('property: the same subnets in different VPCs are never reported', () => {
      const block = fc
        .tuple(fc.integer({ min: 0, max: 1023 }), fc.integer({ min: 24, max: 30 }))
        .map(([offset, prefix]) => formatCidr(makeCidr(ipFromBigint(4, 0x0a000000n + BigInt(offset)), prefix, { strict: false })));
      fc.assert(
        fc.property(fc.array(block, { minLength: 1, maxLength: 6 }), (cidrs) => {
          const subnets = cidrs.map((c, i) => createSubnet({ name: `s${i}`, vpc: `v${i}`, cidrs: [c] }));
          const vpcs = subnets.map((s) => createVpc({ name: s.vpc, subnets: [s.name] }));
          assert.deepEqual(checkNetwork({ vpcs, subnets }), []);
        }),
        { numRuns: 100 },
      );
    });
  });

  describe('references exist', () => {
    it('reference-missing: subnet → VPC (and the subnet is not counted against the VPC list)', () => {
      const s = createSubnet({ name: 'lost', vpc: 'nowhere', cidrs: ['10.9.0.0/24'] });
      onlyViolation(change('subnets', (ss) => [...ss, s]), Invariant.REFERENCE_MISSING, /subnet "lost" vpc names VPC "nowhere", which does not exist/);
    });

    it('reference-missing: VPC → subnet', () => {
      onlyViolation(change('vpcs', (vs) => vs.map((v) => (v.name === 'vpc-a' ? { ...v, subnets: [...v.subnets, 'ghost'] } : v))), Invariant.REFERENCE_MISSING, /VPC "vpc-a" subnets names subnet "ghost"/);
    });

    it('reference-missing: VPC → LR', () => {
      const state = change('vpcs', (vs) => vs.map((v) => (v.name === 'vpc-a' ? { ...v, logicalRouter: 'ghost-lr' } : v)));
      const found = checkNetwork(state);
      assert.ok(found.some((e) => e.invariant === Invariant.REFERENCE_MISSING && /VPC "vpc-a" logicalRouter names LR "ghost-lr"/.test(e.message)));
      // and the LR that serves vpc-a is not named back
      assert.ok(found.some((e) => e.invariant === Invariant.REFERENCE_MISMATCH && /LR "vpc-a-lr" serves VPC "vpc-a", but that VPC names LR "ghost-lr"/.test(e.message)));
    });

    it('reference-missing: LS → subnet and LS → VPC', () => {
      const ls = createLogicalSwitch({ name: 'ls-x', vpc: 'vpc-a', subnet: 'ghost', l2Vni: 777 });
      onlyViolation(change('logicalSwitches', (l) => [...l, ls]), Invariant.REFERENCE_MISSING, /LS "ls-x" subnet names subnet "ghost"/);
      const ls2 = createLogicalSwitch({ name: 'ls-y', vpc: 'ghost', subnet: 'vpc-a-s0', l2Vni: 778 });
      const found = checkNetwork(change('logicalSwitches', (l) => [...l, ls2]));
      assert.ok(found.some((e) => e.invariant === Invariant.REFERENCE_MISSING && /LS "ls-y" vpc names VPC "ghost"/.test(e.message)));
    });

    it('reference-missing: LR → VPC', () => {
      onlyViolation(change('logicalRouters', (l) => [...l, { name: 'lr-x', vpc: 'ghost', l3Vni: 60_000, staticRoutes: [] }]), Invariant.REFERENCE_MISSING, /LR "lr-x" vpc names VPC "ghost"/);
    });

    it('reference-missing: endpoint → subnet, VPC, node', () => {
      onlyViolation(patchEndpoint('vpc-a-s0-ep-1', { node: 'node-9' }), Invariant.REFERENCE_MISSING, /endpoint "vpc-a-s0-ep-1" node names node "node-9"/);
      onlyViolation(patchEndpoint('vpc-a-s0-ep-1', { subnet: 'ghost', vlan: 300 }), Invariant.REFERENCE_MISSING, /endpoint "vpc-a-s0-ep-1" subnet names subnet "ghost"/);
      const found = checkNetwork(patchEndpoint('vpc-a-s0-ep-1', { vpc: 'ghost' }));
      assert.ok(found.some((e) => e.invariant === Invariant.REFERENCE_MISSING && /vpc names VPC "ghost"/.test(e.message)));
    });

    it('reference-missing: endpoint → security group and QoS policy', () => {
      onlyViolation(patchEndpoint('vpc-a-s0-ep-1', { securityGroups: ['ghost'] }), Invariant.REFERENCE_MISSING, /securityGroups names security group "ghost"/);
      onlyViolation(patchEndpoint('vpc-a-s0-ep-1', { qos: 'platinum' }), Invariant.REFERENCE_MISSING, /qos names QoS policy "platinum"/);
    });

    it('reference-missing: security-group remote group, VFW zone, VLB, VRB and peering VPCs', () => {
      onlyViolation(
        change('securityGroups', (g) => g.map((x) => ({ ...x, rules: [...x.rules, { direction: 'ingress' as const, match: { protocol: 'any' as const, ports: [] }, remote: { group: 'ghost' } }] }))),
        Invariant.REFERENCE_MISSING,
        /security group "vpc-a-web" rules\[2\]\.remote\.group names security group "ghost"/,
      );
      onlyViolation(change('vfws', (f) => f.map((x) => ({ ...x, zones: [...x.zones, { name: 'z', vpc: 'ghost' }] }))), Invariant.REFERENCE_MISSING, /VFW "fw-1" zones\[2\]\.vpc names VPC "ghost"/);
      onlyViolation(change('vlbs', (l) => l.map((x) => ({ ...x, vpc: 'ghost' }))), Invariant.REFERENCE_MISSING, /VLB "vpc-a-lb" vpc names VPC "ghost"/);
      onlyViolation(change('vrbs', (l) => l.map((x) => ({ ...x, vpc: 'ghost' }))), Invariant.REFERENCE_MISSING, /VRB "vpc-b-dci" vpc/);
      onlyViolation(change('peerings', (l) => l.map((x) => ({ ...x, vpcs: ['vpc-a', 'ghost'] as const }))), Invariant.REFERENCE_MISSING, /peering "a-b" vpcs\[1\] names VPC "ghost"/);
      const found = checkNetwork(change('securityGroups', (g) => g.map((x) => ({ ...x, vpc: 'ghost' }))));
      assert.ok(found.some((e) => e.invariant === Invariant.REFERENCE_MISSING && /security group "vpc-a-web" vpc names VPC "ghost"/.test(e.message)));
    });
  });

  describe('two-way references agree', () => {
    it('reference-mismatch: a VPC lists a subnet of another VPC', () => {
      const found = checkNetwork(change('vpcs', (vs) => vs.map((v) => (v.name === 'vpc-a' ? { ...v, subnets: [...v.subnets, 'vpc-b-s0'] } : v))));
      assert.equal(found.length, 1);
      assert.equal(found[0]?.invariant, Invariant.REFERENCE_MISMATCH);
      assert.match(found[0]!.message, /VPC "vpc-a" lists subnet "vpc-b-s0", but that subnet belongs to VPC "vpc-b"/);
    });

    it('reference-mismatch: a subnet its VPC does not list', () => {
      onlyViolation(change('vpcs', (vs) => vs.map((v) => (v.name === 'vpc-a' ? { ...v, subnets: ['vpc-a-s0'] } : v))), Invariant.REFERENCE_MISMATCH, /subnet "vpc-a-s1" belongs to VPC "vpc-a", but that VPC does not list it/);
    });

    it('reference-mismatch: LS in another VPC than its subnet', () => {
      onlyViolation(change('logicalSwitches', (l) => l.map((x) => (x.name === 'vpc-a-s1' ? { ...x, vpc: 'vpc-b' } : x))), Invariant.REFERENCE_MISMATCH, /LS "vpc-a-s1" is in VPC "vpc-b", but its subnet "vpc-a-s1" belongs to VPC "vpc-a"/);
    });

    it('reference-mismatch: endpoint in another VPC than its subnet', () => {
      const found = checkNetwork(patchEndpoint('vpc-a-s1-ep-0', { vpc: 'vpc-b' }));
      assert.ok(found.some((e) => e.invariant === Invariant.REFERENCE_MISMATCH && /endpoint "vpc-a-s1-ep-0" is in VPC "vpc-b", but its subnet "vpc-a-s1" belongs to VPC "vpc-a"/.test(e.message)));
    });

    it('reference-mismatch: a subnet serves a namespace outside its VPC', () => {
      onlyViolation(change('subnets', (ss) => ss.map((s) => (s.name === 'vpc-a-s1' ? { ...s, namespaces: ['vpc-b'] } : s))), Invariant.REFERENCE_MISMATCH, /subnet "vpc-a-s1" serves namespace "vpc-b", which is not a namespace of VPC "vpc-a"/);
    });

    it('reference-mismatch: an LR serves a VPC that names no LR', () => {
      onlyViolation(change('vpcs', (vs) => vs.map((v) => (v.name === 'vpc-b' ? createVpc({ name: v.name, namespaces: v.namespaces, subnets: v.subnets }) : v))), Invariant.REFERENCE_MISMATCH, /LR "vpc-b-lr" serves VPC "vpc-b", but that VPC names no LR/);
    });

    it('reference-mismatch: a VPC names an LR that serves another VPC', () => {
      const found = checkNetwork(change('vpcs', (vs) => vs.map((v) => (v.name === 'vpc-b' ? { ...v, logicalRouter: 'vpc-a-lr' } : v))));
      assert.ok(found.some((e) => e.invariant === Invariant.REFERENCE_MISMATCH && /VPC "vpc-b" names LR "vpc-a-lr", but that LR serves VPC "vpc-a"/.test(e.message)));
    });

    it('reference-mismatch: an endpoint uses a security group of another VPC', () => {
      onlyViolation(patchEndpoint('vpc-b-s0-ep-0', { securityGroups: ['vpc-a-web'] }), Invariant.REFERENCE_MISMATCH, /endpoint "vpc-b-s0-ep-0" is in VPC "vpc-b", but its security group "vpc-a-web" is of VPC "vpc-a"/);
    });
  });

  describe('uniqueness across objects', () => {
    it('duplicate: a namespace in two VPCs', () => {
      onlyViolation(change('vpcs', (vs) => vs.map((v) => (v.name === 'vpc-b' ? { ...v, namespaces: ['vpc-b', 'vpc-a'] } : v))), Invariant.DUPLICATE, /VPC "vpc-b" claims namespace "vpc-a", which already belongs to VPC "vpc-a"/);
    });

    it('duplicate: two default subnets for one namespace', () => {
      onlyViolation(change('subnets', (ss) => ss.map((s) => (s.name === 'vpc-a-s1' ? { ...s, default: true } : s))), Invariant.DUPLICATE, /subnet "vpc-a-s1" is a default subnet of namespace "vpc-a", and so is subnet "vpc-a-s0"/);
    });

    it('two default subnets serving different namespaces of one VPC are fine', () => {
      const state = change('subnets', (ss) => ss.map((s) => (s.name === 'vpc-a-s0' ? { ...s, namespaces: ['vpc-a'] } : s.name === 'vpc-a-s1' ? { ...s, default: true, namespaces: ['vpc-a-jobs'] } : s)));
      const fixed = { ...state, vpcs: state.vpcs.map((v) => (v.name === 'vpc-a' ? { ...v, namespaces: ['vpc-a', 'vpc-a-jobs'] } : v)) };
      assert.deepEqual(checkNetwork(fixed), []);
    });

    it('duplicate: two LRs for one VPC', () => {
      onlyViolation(change('logicalRouters', (l) => [...l, { name: 'vpc-a-lr2', vpc: 'vpc-a', l3Vni: 60_000, staticRoutes: [] }]), Invariant.DUPLICATE, /LR "vpc-a-lr2" serves VPC "vpc-a", which LR "vpc-a-lr" already serves/);
    });

    it('duplicate: two LSs for one subnet', () => {
      onlyViolation(change('logicalSwitches', (l) => [...l, createLogicalSwitch({ name: 'ls-2', vpc: 'vpc-a', subnet: 'vpc-a-s0', l2Vni: 777 })]), Invariant.DUPLICATE, /LS "ls-2" carries subnet "vpc-a-s0", which LS "vpc-a-s0" already carries/);
    });

    it('duplicate: two peerings for one VPC pair (either order)', () => {
      onlyViolation(change('peerings', (p) => [...p, { ...p[0]!, name: 'b-a', vpcs: ['vpc-b', 'vpc-a'] as const }]), Invariant.DUPLICATE, /peering "b-a" peers VPCs "vpc-b" and "vpc-a", as peering "a-b" already does/);
    });

    it('duplicate: two nodes on one leaf port; two nodes with one VTEP address', () => {
      onlyViolation(change('nodes', (n) => [...n, NodeMother.network('node-3', 'leaf-1', '10GE1/0/1')]), Invariant.DUPLICATE, /node "node-3" is plugged into leaf "leaf-1" port 10GE1\/0\/1, where node "node-1" is plugged in/);
      onlyViolation(change('nodes', (n) => [...n, NodeMother.host('node-3', '192.0.2.12')]), Invariant.DUPLICATE, /node "node-3" VTEP address 192\.0\.2\.12 is also node "node-2"'s/);
    });

    it('duplicate: one listener in two VLBs of one VPC', () => {
      onlyViolation(change('vlbs', (l) => [...l, { ...l[0]!, name: 'vpc-a-lb2' }]), Invariant.DUPLICATE, /VLB "vpc-a-lb2" virtual server "web" listens on tcp 198\.51\.100\.10:443, as VLB "vpc-a-lb" virtual server "web" does in VPC "vpc-a"/);
    });

    it('duplicate: one MAC twice in a subnet', () => {
      onlyViolation(patchEndpoint('vpc-a-s0-ep-1', { mac: '02:00:00:00:00:01' }), Invariant.DUPLICATE, /MAC 02:00:00:00:00:01 is already used by endpoint "vpc-a-s0-ep-0" in subnet "vpc-a-s0"/);
    });
  });

  describe('VNIs unique across the fabric', () => {
    it('vni-conflict: an L2 VNI equal to an L3 VNI', () => {
      const e = onlyViolation(change('logicalRouters', (l) => l.map((x) => (x.name === 'vpc-b-lr' ? { ...x, l3Vni: 10_001 } : x))), Invariant.VNI_CONFLICT, /LR "vpc-b-lr" l3Vni 10001 is already used by LS "vpc-a-s0"/);
      assert.equal(e.details['value'], 10_001);
    });

    it('vni-conflict: two LSs of different VPCs with one VNI', () => {
      onlyViolation(change('logicalSwitches', (l) => l.map((x) => (x.name === 'vpc-b-s1' ? { ...x, l2Vni: 10_002 } : x))), Invariant.VNI_CONFLICT, /LS "vpc-b-s1" l2Vni 10002 is already used by LS "vpc-a-s1"/);
    });

    it('vni-conflict: two LRs with one VNI', () => {
      onlyViolation(change('logicalRouters', (l) => l.map((x) => ({ ...x, l3Vni: 50_000 }))), Invariant.VNI_CONFLICT, /LR "vpc-b-lr" l3Vni 50000 is already used by LR "vpc-a-lr"/);
    });
  });

  describe('endpoint addresses', () => {
    it('ip-outside-subnet', () => {
      const e = onlyViolation(patchEndpoint('vpc-a-s0-ep-1', { ips: ['10.0.1.50', 'fd00::3'] }), Invariant.IP_OUTSIDE_SUBNET, /endpoint "vpc-a-s0-ep-1" address 10\.0\.1\.50 is outside subnet "vpc-a-s0" 10\.0\.0\.0\/24/);
      assert.equal(e.details['value'], '10.0.1.50');
    });

    it('ip-reserved: the gateway', () => {
      onlyViolation(patchEndpoint('vpc-a-s0-ep-1', { ips: ['10.0.0.1', 'fd00::3'] }), Invariant.IP_RESERVED, /address 10\.0\.0\.1 is the gateway of subnet "vpc-a-s0"/);
      onlyViolation(patchEndpoint('vpc-a-s0-ep-1', { ips: ['10.0.0.3', 'fd00::1'] }), Invariant.IP_RESERVED, /address fd00::1 is the gateway/);
    });

    it('ip-reserved: IPv4 network and broadcast addresses', () => {
      onlyViolation(patchEndpoint('vpc-a-s0-ep-1', { ips: ['10.0.0.0', 'fd00::3'] }), Invariant.IP_RESERVED, /10\.0\.0\.0 is the network address/);
      onlyViolation(patchEndpoint('vpc-a-s0-ep-1', { ips: ['10.0.0.255', 'fd00::3'] }), Invariant.IP_RESERVED, /10\.0\.0\.255 is the broadcast address/);
    });

    it('ip-conflict: two endpoints of one VPC with one address (also written differently)', () => {
      onlyViolation(patchEndpoint('vpc-a-s0-ep-1', { ips: ['10.0.0.2', 'fd00::3'] }), Invariant.IP_CONFLICT, /endpoint "vpc-a-s0-ep-1" address 10\.0\.0\.2 is already used by endpoint "vpc-a-s0-ep-0" in VPC "vpc-a"/);
      onlyViolation(patchEndpoint('vpc-a-s0-ep-1', { ips: ['10.0.0.3', 'FD00:0::0002'] }), Invariant.IP_CONFLICT, /address fd00::2 is already used/);
    });

    it('family-mismatch: an IPv6 address in an IPv4-only subnet', () => {
      const v4 = VpcMother.withSubnets(1, { name: 'a', family: 4 });
      const ep = EndpointMother.inSubnet(v4.subnets[0]!, { ips: ['10.0.0.7', 'fd00::7'] });
      onlyViolation(
        NetworkMother.merge(v4, { nodes: [NodeMother.network()], endpoints: [ep] }),
        Invariant.FAMILY_MISMATCH,
        /endpoint "a-s0-ep-0" address fd00::7 is IPv6, but subnet "a-s0" has no IPv6 CIDR/,
      );
    });
  });

  describe('per-node VLANs', () => {
    it('vlan-conflict: one VLAN for two LSs on one node', () => {
      const e = onlyViolation(patchEndpoint('vpc-a-s1-ep-0', { vlan: 100 }), Invariant.VLAN_CONFLICT, /endpoint "vpc-a-s1-ep-0" VLAN 100 on node "node-1" carries LS "vpc-a-s0", but this endpoint is in LS "vpc-a-s1"/);
      assert.equal(e.details['node'], 'node-1');
    });

    it('vlan-conflict: one LS with two VLANs on one node', () => {
      onlyViolation(patchEndpoint('vpc-a-s0-ep-1', { vlan: 102 }), Invariant.VLAN_CONFLICT, /endpoint "vpc-a-s0-ep-1" has VLAN 102 on node "node-1", but LS "vpc-a-s0" already uses VLAN 100 there/);
    });

    it('vlan-conflict across VPCs on one node (VLANs are per node, not per VPC)', () => {
      const e = onlyViolation(patchEndpoint('vpc-b-s0-ep-0', { node: 'node-1', tunnelKey: undefined, vlan: 101 } as Partial<Endpoint>), Invariant.VLAN_CONFLICT);
      assert.match(e.message, /carries LS "vpc-a-s1"/);
    });
  });

  describe('all violations, and assertNetwork', () => {
    const threeProblems = (): FullNetworkState => {
      const s = NetworkMother.complete();
      return {
        ...s,
        endpoints: s.endpoints.map((e) => (e.id === 'vpc-a-s0-ep-1' ? { ...e, ips: ['10.0.0.1', 'fd00::3'], node: 'node-9' } : e)),
        logicalRouters: s.logicalRouters.map((x) => (x.name === 'vpc-b-lr' ? { ...x, l3Vni: 10_001 } : x)),
      };
    };

    it('checkNetwork returns every violation, not just the first', () => {
      const found = checkNetwork(threeProblems());
      assert.deepEqual(found.map((e) => e.invariant).sort(), [Invariant.IP_RESERVED, Invariant.REFERENCE_MISSING, Invariant.VNI_CONFLICT].sort());
      assert.ok(found.every((e) => e instanceof InvariantError));
    });

    it('checkNetwork is deterministic', () => {
      assert.deepEqual(checkNetwork(threeProblems()).map((e) => e.message), checkNetwork(threeProblems()).map((e) => e.message));
    });

    it('assertNetwork throws the violation itself when there is one', () => {
      assert.throws(
        () => assertNetwork(patchEndpoint('vpc-a-s0-ep-1', { node: 'node-9' })),
        (e: unknown) => e instanceof InvariantError && !(e instanceof NetworkInvariantsError) && e.invariant === Invariant.REFERENCE_MISSING,
      );
    });

    it('assertNetwork throws a NetworkInvariantsError listing all of them when there are several', () => {
      assert.throws(
        () => assertNetwork(threeProblems()),
        (e: unknown) => {
          assert.ok(e instanceof NetworkInvariantsError);
          assert.equal(e.violations.length, 3);
          assert.equal(e.invariant, e.violations[0]?.invariant);
          assert.match(e.message, /breaks 3 invariants/);
          for (const v of e.violations) assert.ok(e.message.includes(v.message));
          assert.equal((e.details['violations'] as unknown[]).length, 3);
          assert.doesNotThrow(() => JSON.stringify(e.toJSON()));
          return true;
        },
      );
    });

    it('NetworkInvariantsError caps the message at 20 lines', () => {
      const many = Array.from({ length: 25 }, (_, i) => new InvariantError(Invariant.DUPLICATE, `problem ${i}`));
      const e = new NetworkInvariantsError(many);
      assert.match(e.message, /\.\.\. and 5 more/);
      assert.ok(!e.message.includes('problem 24'));
      assert.equal(e.violations.length, 25);
    });
  });
});
