// Each device port derives every kind's key from the object's identity fields (fabricKeyOf & co.): the kind tables
// cover every kind of the port's config, agree with the config codec on the samples, and recompute the key of an
// edited object (what the injection fuzz kit needs to judge a fuzzed value by its own check, not a stale key).
import { strict as assert } from 'node:assert';
import {
  FABRIC_KIND_KEY,
  FABRIC_KIND_ORDER,
  FIREWALL_KIND_KEY,
  FIREWALL_KIND_ORDER,
  FabricConfigCodec,
  FirewallConfigCodec,
  LOAD_BALANCER_KIND_KEY,
  LOAD_BALANCER_KIND_ORDER,
  LoadBalancerConfigCodec,
  VSWITCH_KIND_KEY,
  VSWITCH_KIND_ORDER,
  VSwitchConfigCodec,
  decodeOrThrow,
  fabricKeyOf,
  firewallKeyOf,
  loadBalancerKeyOf,
  vswitchKeyOf,
} from '@netloom/ports';
import type * as t from 'io-ts';
import { fabricSample, firewallSample, loadBalancerSample, vswitchSample } from './samples';

type KeyOf = (kind: string, object: Readonly<Record<string, unknown>>) => string | undefined;
const PORTS: ReadonlyArray<{ name: string; order: readonly string[]; table: object; keyOf: KeyOf; codec: t.Type<unknown, unknown, unknown>; sample: () => unknown }> = [
  { name: 'fabric', order: FABRIC_KIND_ORDER, table: FABRIC_KIND_KEY, keyOf: fabricKeyOf, codec: FabricConfigCodec as t.Type<unknown, unknown, unknown>, sample: fabricSample },
  { name: 'vswitch', order: VSWITCH_KIND_ORDER, table: VSWITCH_KIND_KEY, keyOf: vswitchKeyOf, codec: VSwitchConfigCodec as t.Type<unknown, unknown, unknown>, sample: vswitchSample },
  { name: 'firewall', order: FIREWALL_KIND_ORDER, table: FIREWALL_KIND_KEY, keyOf: firewallKeyOf, codec: FirewallConfigCodec as t.Type<unknown, unknown, unknown>, sample: firewallSample },
  {
    name: 'loadBalancer',
    order: LOAD_BALANCER_KIND_ORDER,
    table: LOAD_BALANCER_KIND_KEY,
    keyOf: loadBalancerKeyOf,
    codec: LoadBalancerConfigCodec as t.Type<unknown, unknown, unknown>,
    sample: loadBalancerSample,
  },
];

describe('ports: key of every kind (fabricKeyOf, vswitchKeyOf, firewallKeyOf, loadBalancerKeyOf)', () => {
  for (const p of PORTS) {
    it(`${p.name}: one key function per kind, and each gives the key the config codec accepts`, () => {
      assert.deepEqual(Object.keys(p.table).sort(), [...p.order].sort());
      const decoded = decodeOrThrow(p.codec, p.sample(), 'sample') as Record<string, Record<string, Record<string, unknown>>>;
      let seen = 0;
      for (const [kind, objects] of Object.entries(decoded)) {
        for (const [key, object] of Object.entries(objects)) {
          assert.equal(p.keyOf(kind, object), key, `${kind} ${key}`);
          seen++;
        }
      }
      assert.ok(seen > 0);
    });
  }

  it('a kind the port does not have (or an inherited property name) gives undefined', () => {
    assert.equal(fabricKeyOf('zone', { name: 'x' }), undefined);
    assert.equal(vswitchKeyOf('toString', { name: 'x' }), undefined);
    assert.equal(firewallKeyOf('__proto__', { name: 'x' }), undefined);
  });

  it('recomputes the key of an edited object from its identity fields (a flood VTEP from l2Vni and remoteIp)', () => {
    assert.equal(fabricKeyOf('floodVtep', { key: '10010:192.0.2.141', l2Vni: 10010, remoteIp: '192.0.2.256' }), '10010:192.0.2.256');
    assert.equal(fabricKeyOf('binding', { key: 'stale', interface: 'Ethernet1/9', vlan: 7, l2Vni: 1 }), 'Ethernet1/9:7');
    assert.equal(vswitchKeyOf('securityGroupRule', { group: 'sg-a', name: 'r1' }), 'sg-a:r1');
    assert.equal(loadBalancerKeyOf('member', { partition: 'p', pool: 'web', address: '10.0.0.1', port: 80 }), 'p/web/10.0.0.1:80');
    assert.equal(firewallKeyOf('policy', { name: 'allow-dns' }), 'allow-dns');
  });
});
