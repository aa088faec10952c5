// End to end through the runtime: a SecurityGroup resource and the pods' `netloom.io/security-groups` annotation on
// the demo scenario source, compiled by the security-groups plugin and applied to the fake node vswitches; the
// SecurityGroup gets its Ready condition; removing the annotation removes the rules again.
import assert from 'node:assert/strict';
import { fakeDeviceRegistry } from '@netloom/adapter-fake';
import { ScenarioSource } from '@netloom/adapter-scenario';
import { silentLogger, type KubeSecurityGroup, type VSwitchConfig } from '@netloom/ports';
import { Controller, createContainer, disposeContainer, loadProfile, loadProfileAdapters, openKubernetesSource } from '@netloom/runtime';
import { cleanTmp, onFakeDevices, writeProfile } from './helpers';

const ANNOTATION = 'netloom.io/security-groups';
/** The demo's checkout pod on node-2 (web-0 is on node-1). */
const CHECKOUT = 'checkout-5d8f6c7b9-k2m4p';

const vswitch = (name: string): VSwitchConfig => {
  const d = fakeDeviceRegistry.get<VSwitchConfig>(name);
  assert.ok(d, `no fake device ${name}`);
  return d.committed();
};
const rulesOf = (name: string): string[] =>
  Object.values(vswitch(name).securityGroupRule)
    .map((r) => `${r.group} ${r.direction} ${r.protocol} ${(r.ports ?? []).map((p) => `${p.from}-${p.to}`).join(',')} ${r.remote === undefined ? 'any' : 'cidr' in r.remote ? r.remote.cidr : `group:${r.remote.group}`}`)
    .sort();
const groupsOfPod = (device: string, pod: string): readonly string[] | undefined => Object.values(vswitch(device).endpointPort).find((p) => p.pod?.name === pod)?.securityGroups;

describe('runtime: SecurityGroups end to end (scenario source, fake vswitches)', () => {
  let controller: Controller;
  let source: ScenarioSource;
  let close: () => Promise<void>;

  before(async () => {
    fakeDeviceRegistry.reset();
    const loaded = loadProfile(writeProfile({ example: 'embedded.yaml' }, [...onFakeDevices(), { path: ['plugins'], value: ['kubernetes', 'service-lb', 'vpc-peering', 'security-groups'] }]));
    const container = createContainer({ loaded, adapters: await loadProfileAdapters(loaded), logger: silentLogger });
    const opened = await openKubernetesSource(loaded.profile, silentLogger);
    assert.ok(opened instanceof ScenarioSource);
    source = opened;
    close = async () => {
      await source.close();
      await disposeContainer(container);
    };
    try {
      controller = await Controller.create({ container, source });
    } catch (e) {
      await close();
      throw e;
    }
  });
  after(async () => {
    await close();
    fakeDeviceRegistry.reset();
    cleanTmp();
  });

  const ready = (name: string) => (source.get({ kind: 'SecurityGroup', namespace: 'shop', name }) as KubeSecurityGroup | undefined)?.status?.conditions?.find((c) => c.type === 'Ready');

  it('before any group, no vswitch has rules', async () => {
    const r = await controller.apply();
    assert.ok(r.report.devices.every((d) => d.outcome === 'applied' || d.outcome === 'unchanged'), JSON.stringify(r.report.devices.map((d) => d.outcome)));
    assert.deepEqual(rulesOf('node-1-vs'), []);
    assert.deepEqual(rulesOf('node-2-vs'), []);
  });

  it('a SecurityGroup selected by pods puts its rules on their nodes’ vswitches, and the group is Ready', async () => {
    source.applyNow({
      apply: [
        {
          kind: 'SecurityGroup',
          metadata: { namespace: 'shop', name: 'web', generation: 1 },
          spec: {
            rules: [
              { name: 'https-in', direction: 'ingress', protocol: 'tcp', ports: [8443], remote: { cidr: '10.0.0.0/8' } },
              { name: 'peers', direction: 'ingress', protocol: 'tcp', ports: ['9000-9001'], remote: { group: 'web' } },
            ],
          },
        },
        { kind: 'SecurityGroup', metadata: { namespace: 'shop', name: 'bad', generation: 1 }, spec: { rules: [{ name: 'sctp', direction: 'ingress', protocol: 'sctp' }] } },
      ],
    });
    await source.patchAnnotations({ kind: 'Pod', namespace: 'shop', name: 'web-0', annotations: { [ANNOTATION]: 'web' } });
    await source.patchAnnotations({ kind: 'Pod', namespace: 'shop', name: CHECKOUT, annotations: { [ANNOTATION]: 'web,nosuch' } });
    const r = await controller.apply();
    assert.ok(r.report.devices.every((d) => d.outcome === 'applied' || d.outcome === 'unchanged'));
    const checkoutIp = r.compiled.desired.network.endpoints?.find((e) => e.owner?.name === CHECKOUT)?.ips[0];
    assert.ok(checkoutIp !== undefined);
    // web-0 (10.244.100.200) is on node-1, the checkout pod on node-2: each node spells out the other's address.
    assert.deepEqual(rulesOf('node-1-vs'), [
      'shop.web ingress tcp 8443-8443 10.0.0.0/8',
      `shop.web ingress tcp 9000-9001 ${checkoutIp}/32`,
      'shop.web ingress tcp 9000-9001 group:shop.web',
    ]);
    assert.deepEqual(rulesOf('node-2-vs'), [
      'shop.web ingress tcp 8443-8443 10.0.0.0/8',
      'shop.web ingress tcp 9000-9001 10.244.100.200/32',
      'shop.web ingress tcp 9000-9001 group:shop.web',
    ]);
    assert.deepEqual(groupsOfPod('node-1-vs', 'web-0'), ['shop.web']);
    assert.deepEqual(groupsOfPod('node-2-vs', CHECKOUT), ['shop.web']);
    // Pods without the annotation stay unfiltered.
    assert.equal(groupsOfPod('node-1-vs', 'web-2'), undefined);
    assert.equal(ready('web')?.status, 'True');
    assert.equal(ready('web')?.reason, 'Programmed');
    assert.equal(ready('web')?.observedGeneration, 1);
    assert.equal(ready('bad')?.status, 'False');
    assert.match(ready('bad')?.message ?? '', /rule "sctp" \(spec\.rules\[0\]\): protocol sctp is not supported/);
    // The unknown group is a Warning event on the pod.
    assert.ok(source.events({ kind: 'Pod', namespace: 'shop', name: CHECKOUT }).some((e) => e.type === 'Warning' && /SecurityGroup "nosuch" does not exist/.test(e.message)));
    // Nothing changed: the conditions are not written again.
    assert.equal((await controller.apply()).writeBack.statuses, 0);
  });

  it('removing the annotation removes the rules from the node (and the remote address from the other)', async () => {
    await source.patchAnnotations({ kind: 'Pod', namespace: 'shop', name: 'web-0', annotations: { [ANNOTATION]: null } });
    await controller.apply();
    assert.deepEqual(rulesOf('node-1-vs'), []);
    assert.equal(groupsOfPod('node-1-vs', 'web-0'), undefined);
    assert.deepEqual(rulesOf('node-2-vs'), ['shop.web ingress tcp 8443-8443 10.0.0.0/8', 'shop.web ingress tcp 9000-9001 group:shop.web']);
    await source.patchAnnotations({ kind: 'Pod', namespace: 'shop', name: CHECKOUT, annotations: { [ANNOTATION]: null } });
    await controller.apply();
    assert.deepEqual(rulesOf('node-2-vs'), []);
    // The group itself is still in the desired network: still Ready.
    assert.equal(ready('web')?.status, 'True');
  });
});
