import { strict as assert } from 'node:assert';
import {
  FirewallConfigCodec,
  LoadBalancerConfigCodec,
  NotSupportedError,
  VSwitchConfigCodec,
  configEquals,
  decodeOrThrow,
  silentLogger,
  type LoadBalancerConfig,
  type VSwitchConfig,
} from '@netloom/ports';
import { fakeDeviceRegistry, fakeFirewall, fakeLoadBalancer, fakeVSwitch } from '@netloom/adapter-fake';
import { edited, firewallSample, loadBalancerSample, vswitchSample } from './samples';

describe('adapter-fake: vswitch, firewall, load balancer', () => {
  afterEach(() => fakeDeviceRegistry.reset());

  it('vswitch: no confirmed commit, so confirmWithinSec is ignored and nothing rolls back by itself', async () => {
    const s = await fakeVSwitch({ target: { name: 'node-1' }, options: {}, logger: silentLogger }).connect();
    const desired = decodeOrThrow(VSwitchConfigCodec, vswitchSample(), 'desired');
    const tx = await s.apply({ changeSet: await s.plan({ desired }), confirmWithinSec: 0.05 });
    assert.equal(tx.confirmBy, undefined);
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(tx.state, 'applied');
    await s.confirm({ transaction: tx });
    assert.ok(configEquals(fakeDeviceRegistry.get<VSwitchConfig>('node-1')!.committed(), desired));
    await s.close();
  });

  it('vswitch: moving an endpoint from a VLAN to a tunnel key is one update', async () => {
    const s = await fakeVSwitch({ target: { name: 'node-1' }, options: {}, logger: silentLogger }).connect();
    await s.confirm({ transaction: await s.apply({ changeSet: await s.plan({ desired: decodeOrThrow(VSwitchConfigCodec, vswitchSample(), 'a') }) }) });
    const moved = decodeOrThrow(
      VSwitchConfigCodec,
      edited(vswitchSample(), (c) => {
        c.endpointPort['veth3f2a1b']!.attachment = { type: 'tunnel', tunnelKey: 10010 };
      }),
      'b',
    );
    const plan = await s.plan({ desired: moved });
    assert.deepEqual(
      plan.changes.map((c) => `${c.op} ${c.kind} ${c.key}`),
      ['update endpointPort veth3f2a1b'],
    );
    await s.close();
  });

  it('load balancer: draining a member needs memberDrain', async () => {
    const desired = decodeOrThrow(LoadBalancerConfigCodec, loadBalancerSample(), 'desired');
    const s = await fakeLoadBalancer({ target: { name: 'vlb1' }, options: { unsupported: ['memberDrain'] }, logger: silentLogger }).connect();
    await assert.rejects(s.plan({ desired }), (e: unknown) => e instanceof NotSupportedError && /memberDrain/.test(e.message));
    const enabledOnly: LoadBalancerConfig = decodeOrThrow(
      LoadBalancerConfigCodec,
      edited(loadBalancerSample(), (c) => {
        c.member['shop/web/[fd00:1::6]:8080']!.state = 'enabled';
      }),
      'enabled',
    );
    await s.confirm({ transaction: await s.apply({ changeSet: await s.plan({ desired: enabledOnly }) }) });
    await s.close();
  });

  it('firewall: policies referencing address sets need addressSets', async () => {
    const s = await fakeFirewall({ target: { name: 'vfw1' }, options: { unsupported: ['addressSets'] }, logger: silentLogger }).connect();
    await assert.rejects(s.plan({ desired: decodeOrThrow(FirewallConfigCodec, firewallSample(), 'd') }), NotSupportedError);
    const inline = decodeOrThrow(
      FirewallConfigCodec,
      edited(firewallSample(), (c) => {
        c.addressSet = {};
        delete c.policy['shop-to-pay']!.destinationAddressSets;
        c.policy['shop-to-pay']!.destinationAddresses = ['10.2.1.0/24'];
      }),
      'inline',
    );
    const plan = await s.plan({ desired: inline });
    assert.equal(plan.changes.length, 4);
    await s.close();
  });
});
