import { strict as assert } from 'node:assert';
import type * as t from 'io-ts';
import {
  CAPABILITY_NAMES,
  FABRIC_KIND_ORDER,
  FIREWALL_KIND_ORDER,
  FabricConfigCodec,
  FirewallConfigCodec,
  LOAD_BALANCER_KIND_ORDER,
  LoadBalancerConfigCodec,
  NotSupportedError,
  VSWITCH_KIND_ORDER,
  VSwitchConfigCodec,
  assertCapabilities,
  bindingKey,
  capabilitiesForChanges,
  configEquals,
  decodeOrThrow,
  decodeProblems,
  diffConfig,
  fabricVocabulary,
  firewallVocabulary,
  loadBalancerVocabulary,
  memberKey,
  segmentKey,
  vswitchVocabulary,
  type DeviceConfig,
  type DeviceVocabulary,
  type DevicePortKind,
  type InputProblem,
} from '@netloom/ports';
import { edited, fabricSample, firewallSample, loadBalancerSample, vswitchSample } from './samples';

function problems<A, O>(codec: t.Type<A, O, unknown>, value: unknown): InputProblem[] {
  return decodeProblems(codec, value).problems;
}

const has = (ps: InputProblem[], path: string, reason: RegExp | string): boolean =>
  ps.some((p) => p.path === path && (typeof reason === 'string' ? p.reason === reason : reason.test(p.reason)));

function assertProblem(ps: InputProblem[], path: string, reason: RegExp | string): void {
  assert.ok(has(ps, path, reason), `expected ${path}: ${String(reason)} in ${JSON.stringify(ps, null, 1)}`);
}

const vocabularies: Array<{ vocabulary: DeviceVocabulary<DevicePortKind, DeviceConfig>; sample: () => unknown }> = [
  { vocabulary: fabricVocabulary as unknown as DeviceVocabulary<DevicePortKind, DeviceConfig>, sample: fabricSample },
  { vocabulary: vswitchVocabulary as unknown as DeviceVocabulary<DevicePortKind, DeviceConfig>, sample: vswitchSample },
  { vocabulary: firewallVocabulary as unknown as DeviceVocabulary<DevicePortKind, DeviceConfig>, sample: firewallSample },
  { vocabulary: loadBalancerVocabulary as unknown as DeviceVocabulary<DevicePortKind, DeviceConfig>, sample: loadBalancerSample },
];

describe('ports: device vocabularies (common)', () => {
  for (const { vocabulary, sample } of vocabularies) {
    describe(vocabulary.port, () => {
      it('decodes the sample; decoding is idempotent and keeps every kind', () => {
        const once = decodeOrThrow(vocabulary.configCodec, sample(), 'sample');
        const twice = decodeOrThrow(vocabulary.configCodec, once, 'sample again');
        assert.deepEqual(twice, once);
        assert.deepEqual(Object.keys(once).sort(), [...vocabulary.order].sort());
        assert.ok(vocabulary.configCodec.is(once));
      });

      it('the order lists every kind once, and each kind maps to a declared capability name', () => {
        assert.equal(new Set(vocabulary.order).size, vocabulary.order.length);
        const names: readonly string[] = CAPABILITY_NAMES[vocabulary.port];
        for (const kind of vocabulary.order) assert.ok(names.includes((vocabulary.kindCapability as Record<string, string>)[kind]!), kind);
      });

      it('empty() decodes and is empty', () => {
        const empty = vocabulary.empty();
        assert.deepEqual(decodeOrThrow(vocabulary.configCodec, empty, 'empty'), empty);
        assert.deepEqual(vocabulary.capabilitiesUsed(empty), []);
      });

      it('requires every kind and rejects unknown kinds and unknown fields', () => {
        const input = sample() as Record<string, unknown>;
        const first = vocabulary.order[0]!;
        const { [first]: _dropped, ...rest } = input;
        const ps = problems(vocabulary.configCodec, { ...rest, bogus: {} });
        assertProblem(ps, first, 'required');
        assertProblem(ps, 'bogus', 'unknown field');
      });

      it('the diff from empty to the sample creates every object, parents first', () => {
        const desired = decodeOrThrow(vocabulary.configCodec, sample(), 'sample');
        const changes = diffConfig({ desired, observed: vocabulary.empty(), order: vocabulary.order });
        assert.ok(changes.every((c) => c.op === 'create'));
        const kinds = changes.map((c) => vocabulary.order.indexOf(c.kind));
        assert.deepEqual(kinds, [...kinds].sort((a, b) => a - b));
        const used = capabilitiesForChanges(vocabulary, changes);
        assert.deepEqual(used, vocabulary.capabilitiesUsed(desired));
      });

      it('equal meaning decodes equal: set order and IPv6 spelling do not matter', () => {
        const a = decodeOrThrow(vocabulary.configCodec, sample(), 'a');
        const b = decodeOrThrow(vocabulary.configCodec, JSON.parse(JSON.stringify(sample()).replace(/(?<!\[)fd00:1::/g, 'FD00:1:0:0::')), 'b');
        assert.ok(configEquals(a, b));
      });
    });
  }

  it('assertCapabilities names every missing capability', () => {
    const caps = { l2Segment: true, vrf: true, anycastGateway: false, accessBinding: true, interconnect: false, confirmedCommit: true };
    assert.throws(
      () => assertCapabilities('fabric', 'leaf1', ['anycastGateway', 'interconnect', 'vrf'], caps),
      (e: unknown) => e instanceof NotSupportedError && e.code === 'NOT_SUPPORTED' && /leaf1 \(fabric\) does not support: anycastGateway, interconnect/.test(e.message),
    );
    assertCapabilities('fabric', 'leaf1', ['vrf'], caps);
  });
});

describe('ports: fabric vocabulary', () => {
  it('derives keys: segment = l2Vni, binding = interface:vlan', () => {
    assert.equal(segmentKey({ l2Vni: 10010 }), '10010');
    assert.equal(bindingKey({ interface: 'Ethernet1/1', vlan: 100 }), 'Ethernet1/1:100');
    assert.deepEqual(FABRIC_KIND_ORDER, ['vrf', 'interconnect', 'segment', 'floodVtep', 'binding']);
  });

  it('rejects a segment key that disagrees with its VNI', () => {
    const ps = problems(
      FabricConfigCodec,
      edited(fabricSample(), (c) => {
        c.segment['10020']!.l2Vni = 10021;
      }),
    );
    assertProblem(ps, 'segment["10020"].key', 'is "10020" but its l2Vni gives "10021"');
  });

  it('rejects names with injection attempts, VLAN 5000 and VNI 0', () => {
    const ps = problems(
      FabricConfigCodec,
      edited(fabricSample(), (c) => {
        c.vrf['vpc-shop']!.name = 'x; reboot';
        c.segment['10020']!.name = 'bd1\nquit';
        c.binding['Ethernet1/1:100']!.vlan = 5000;
        c.binding['Ethernet1/1:100']!.key = 'Ethernet1/1:5000';
        c.interconnect['vrb-dc2']!.borderPeers[0]!.remoteAs = 0;
      }),
    );
    assertProblem(ps, 'vrf["vpc-shop"].name', /^"x; reboot" is not a safe name/);
    assertProblem(ps, 'segment["10020"].name', /^"bd1\\nquit" is not a safe name/);
    assertProblem(ps, 'binding["Ethernet1/1:100"].vlan', '5000 is outside 1..4094');
    assertProblem(ps, 'interconnect["vrb-dc2"].borderPeers[0].remoteAs', '0 is outside 1..4294967295');
  });

  it('resolves references within the config', () => {
    const ps = problems(
      FabricConfigCodec,
      edited(fabricSample(), (c) => {
        c.segment['10020']!.vrf = 'nope';
        c.binding['Ethernet1/2:100']!.l2Vni = 777;
        c.interconnect['vrb-dc2']!.vrf = 'gone';
      }),
    );
    assertProblem(ps, 'segment["10020"].vrf', 'no vrf "nope" in this config');
    assertProblem(ps, 'binding["Ethernet1/2:100"].l2Vni', 'no segment with l2Vni 777 in this config');
    assertProblem(ps, 'interconnect["vrb-dc2"].vrf', 'no vrf "gone" in this config');
  });

  it('an anycast gateway needs a VRF and an address; VNIs are not shared between L2 and L3', () => {
    const ps = problems(
      FabricConfigCodec,
      edited(fabricSample(), (c) => {
        c.segment['10020']!.anycastGateway = { mac: '00:00:5e:00:01:01' };
      }),
    );
    assertProblem(ps, 'segment["10020"].anycastGateway', 'needs at least one address (ipv4 or ipv6)');
    // cross-kind rules run once every object is valid on its own
    const ps1 = problems(
      FabricConfigCodec,
      edited(fabricSample(), (c) => {
        c.vrf['vpc-shop']!.l3Vni = 10010;
      }),
    );
    assertProblem(ps1, 'vrf["vpc-shop"].l3Vni', '10010 is also the l2Vni of a segment');
    const ps2 = problems(
      FabricConfigCodec,
      edited(fabricSample(), (c) => {
        c.segment['10020']!.anycastGateway = { ipv4: ['10.2.0.1/24'] };
      }),
    );
    assertProblem(ps2, 'segment["10020"].anycastGateway', 'needs "vrf": an anycast gateway routes in a VRF');
  });

  it('capabilitiesUsed adds anycastGateway only when a segment has one', () => {
    const full = decodeOrThrow(FabricConfigCodec, fabricSample(), 's');
    assert.deepEqual(fabricVocabulary.capabilitiesUsed(full), ['accessBinding', 'anycastGateway', 'interconnect', 'l2Segment', 'vrf']);
    assert.deepEqual(fabricVocabulary.capabilitiesUsed({ segment: { '10020': full.segment['10020']! } }), ['l2Segment']);
  });
});

describe('ports: vswitch vocabulary', () => {
  it('decodes unions: tunnel key VNI or "flow", QoS by name or inline, remote CIDR or group', () => {
    const c = decodeOrThrow(VSwitchConfigCodec, vswitchSample(), 's');
    assert.equal(c.tunnel['vx-node2']!.tunnelKey, 'flow');
    assert.deepEqual(c.uplink['eth1']!.allowedVlans, [100, 101]);
    assert.deepEqual(c.endpointPort['veth3f2a1b']!.ips, ['10.1.0.5', 'fd00:1::5']);
    assert.deepEqual(VSWITCH_KIND_ORDER, ['bridge', 'qos', 'securityGroupRule', 'uplink', 'tunnel', 'endpointPort']);
    assert.deepEqual(vswitchVocabulary.capabilitiesUsed(c), ['bridge', 'endpointPort', 'qos', 'securityGroup', 'uplinkTrunk', 'vxlanTunnel']);
  });

  it('reports the closest union branch with a readable path', () => {
    const ps = problems(
      VSwitchConfigCodec,
      edited(vswitchSample(), (c) => {
        c.tunnel['vx-node2']!.tunnelKey = 0;
        c.endpointPort['veth9c8d7e']!.qos = { egressRateKbps: 0 };
        c.endpointPort['veth3f2a1b']!.qos = 'no such qos';
        c.securityGroupRule['web:https-in']!.remote = { cidr: '10.0.0.1/8' };
      }),
    );
    assertProblem(ps, 'tunnel["vx-node2"].tunnelKey', '0 is outside 1..16777215');
    assertProblem(ps, 'endpointPort["veth9c8d7e"].qos.egressRateKbps', '0 is outside 1..100000000');
    assertProblem(ps, 'endpointPort["veth3f2a1b"].qos', /^"no such qos" is not a safe name/);
    assertProblem(ps, 'securityGroupRule["web:https-in"].remote.cidr', /has host bits set/);
  });

  it('checks attachments, port names, bridges, QoS references and MACs', () => {
    const ps = problems(
      VSwitchConfigCodec,
      edited(vswitchSample(), (c) => {
        c.endpointPort['veth3f2a1b']!.attachment = { type: 'vlan', vlan: 5000 };
        c.endpointPort['veth9c8d7e']!.bridge = 'br-ex';
        c.endpointPort['veth9c8d7e']!.mac = '0A:58:0A:01:00:05';
        c.uplink['eth1']!.allowedVlans = [];
        c.securityGroupRule['web:any-out']!.ports = [{ from: 1, to: 2 }];
        c.qos = {};
      }),
    );
    assertProblem(ps, 'endpointPort["veth3f2a1b"].attachment.vlan', '5000 is outside 1..4094');
    assertProblem(ps, 'uplink["eth1"].allowedVlans', 'must have at least 1 item');
    assertProblem(ps, 'securityGroupRule["web:any-out"].ports', 'ports need protocol tcp, udp or sctp (not any)');
    const ps2 = problems(
      VSwitchConfigCodec,
      edited(vswitchSample(), (c) => {
        c.endpointPort['veth9c8d7e']!.mac = '0A:58:0A:01:00:05';
        c.tunnel['vx-node2']!.bridge = 'br-ex';
        c.qos = {};
      }),
    );
    assertProblem(ps2, 'tunnel["vx-node2"].bridge', 'no bridge "br-ex" in this config');
    assertProblem(ps2, 'endpointPort["veth3f2a1b"].qos', 'no qos "gold" in this config');
    assertProblem(ps2, 'endpointPort["veth9c8d7e"].mac', /is also the MAC of port "veth3f2a1b"/);
  });

  it('port names are unique across kinds', () => {
    const ps = problems(
      VSwitchConfigCodec,
      edited(vswitchSample(), (c) => {
        c.tunnel['eth1'] = { ...c.tunnel['vx-node2']!, key: 'eth1', name: 'eth1' };
      }),
    );
    assertProblem(ps, 'tunnel["eth1"].name', '"eth1" is also the name of a uplink');
  });
});

describe('ports: firewall vocabulary', () => {
  it('decodes the sample and orders zone → addressSet → policy', () => {
    const c = decodeOrThrow(FirewallConfigCodec, firewallSample(), 's');
    assert.equal(c.policy['pay-deny-ssh']!.log, true);
    assert.deepEqual(FIREWALL_KIND_ORDER, ['zone', 'addressSet', 'policy']);
    assert.deepEqual(firewallVocabulary.capabilitiesUsed(c), ['addressSets', 'policies', 'zones']);
  });

  it('checks zones, address sets, priorities and actions', () => {
    const ps = problems(
      FirewallConfigCodec,
      edited(firewallSample(), (c) => {
        c.policy['shop-to-pay']!.dstZone = 'vpc-x';
        c.policy['shop-to-pay']!.destinationAddressSets = ['nope'];
        c.policy['pay-deny-ssh']!.priority = 100;
        c.zone['vpc-pay']!.cidrs = ['10.1.0.0/16'];
      }),
    );
    assertProblem(ps, 'policy["shop-to-pay"].dstZone', 'no zone "vpc-x" in this config');
    assertProblem(ps, 'policy["shop-to-pay"].destinationAddressSets[0]', 'no addressSet "nope" in this config');
    assertProblem(ps, 'policy["shop-to-pay"].priority', '100 is also the priority of policy "pay-deny-ssh"');
    assertProblem(ps, 'zone["vpc-shop"].cidrs[0]', '10.1.0.0/16 is also in zone "vpc-pay"');
    const ps2 = problems(
      FirewallConfigCodec,
      edited(firewallSample(), (c) => {
        (c.policy['shop-to-pay'] as { action: string }).action = 'permit';
        c.policy['pay-deny-ssh']!.protocol = 'icmp';
        c.zone['vpc-pay']!.interfaces = [];
        c.zone['vpc-pay']!.cidrs = [];
      }),
    );
    assertProblem(ps2, 'policy["shop-to-pay"].action', 'expected "allow" | "deny", got "permit"');
    assertProblem(ps2, 'policy["pay-deny-ssh"].ports', 'ports need protocol tcp, udp or sctp (not icmp)');
    assertProblem(ps2, 'zone["vpc-pay"]', 'needs at least one interface, leg or CIDR');
  });
});

describe('ports: load-balancer vocabulary', () => {
  it('derives member keys with brackets for IPv6', () => {
    assert.equal(memberKey({ partition: 'p', pool: 'web', address: '10.1.0.5', port: 80 }), 'p/web/10.1.0.5:80');
    assert.equal(memberKey({ partition: 'p', pool: 'web', address: 'fd00::6', port: 80 }), 'p/web/[fd00::6]:80');
    assert.deepEqual(LOAD_BALANCER_KIND_ORDER, ['partition', 'monitor', 'pool', 'member', 'virtualServer']);
  });

  it('decodes the sample; draining members need memberDrain', () => {
    const c = decodeOrThrow(LoadBalancerConfigCodec, loadBalancerSample(), 's');
    assert.deepEqual(loadBalancerVocabulary.capabilitiesUsed(c), ['memberDrain', 'monitors', 'partitions', 'pools', 'virtualServers']);
  });

  it('checks partitions, pools, monitors, listeners and health paths', () => {
    const ps = problems(
      LoadBalancerConfigCodec,
      edited(loadBalancerSample(), (c) => {
        c.monitor['shop/http']!.httpPath = '/health?x=1;reboot';
        (c.member['shop/web/10.1.0.5:8080'] as { state: string }).state = 'up';
      }),
    );
    assertProblem(ps, 'monitor["shop/http"].httpPath', /is not a health-check path/);
    assertProblem(ps, 'member["shop/web/10.1.0.5:8080"].state', 'expected "enabled" | "draining" | "disabled", got "up"');
    const ps2 = problems(
      LoadBalancerConfigCodec,
      edited(loadBalancerSample(), (c) => {
        c.pool['shop/web']!.monitor = 'tcp';
        c.virtualServer['shop/web-80'] = { ...c.virtualServer['shop/web-443']!, key: 'shop/web-80', name: 'web-80', pool: 'api' };
        c.virtualServer['shop/web-443b'] = { ...c.virtualServer['shop/web-443']!, key: 'shop/web-443b', name: 'web-443b' };
      }),
    );
    assertProblem(ps2, 'pool["shop/web"].monitor', 'no monitor "tcp" in partition "shop"');
    assertProblem(ps2, 'virtualServer["shop/web-80"].pool', 'no pool "api" in partition "shop"');
    assertProblem(ps2, 'virtualServer["shop/web-443b"].vip', '192.0.2.10:443/tcp is also used by virtual server "shop/web-443"');
  });
});
