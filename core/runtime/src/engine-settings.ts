/**
 * Maps the deployment profile to the settings the engine needs ({@link EngineSettings}): the engine never sees
 * the profile itself (nor credentials, adapters or paths).
 * @packageDocumentation
 */
import type { EngineSettings } from '@netloom/engine';
import type { Profile } from './profile/profile.codec';

/** The engine's view of a profile. Discovery devices are not driven by the engine and are left out. */
export function engineSettingsFromProfile(profile: Profile): EngineSettings {
  const plan = profile.addressPlan;
  const devices: EngineSettings['devices'][number][] = [];
  for (const d of profile.inventory.devices) {
    if (d.role !== 'discovery') devices.push({ name: d.name, role: d.role });
  }
  return {
    vpcPolicy: profile.vpcPolicy,
    overlay: profile.overlay,
    addressPlan: {
      vni: { l2: plan.vni.l2.map((r) => ({ from: r.from, to: r.to })), l3: plan.vni.l3.map((r) => ({ from: r.from, to: r.to })) },
      vlan: { from: plan.vlan.from, to: plan.vlan.to },
      containerBlocks: [...plan.containerBlocks],
      defaultSubnetPrefix: { ipv4: plan.defaultSubnetPrefix.ipv4, ipv6: plan.defaultSubnetPrefix.ipv6 },
      vipPools: plan.vipPools.map((p) => (p.exclude === undefined ? { name: p.name, cidr: p.cidr } : { name: p.name, cidr: p.cidr, exclude: [...p.exclude] })),
    },
    topology: {
      nodes: (profile.topology.nodes ?? []).map((n) => ({
        name: n.name,
        ...(n.leaf === undefined ? {} : { leaf: n.leaf }),
        ...(n.port === undefined ? {} : { port: n.port }),
        ...(n.overlay === undefined ? {} : { overlay: n.overlay }),
        ...(n.vtepIp === undefined ? {} : { vtepIp: n.vtepIp }),
        ...(n.vswitch === undefined ? {} : { vswitch: n.vswitch }),
      })),
    },
    devices,
  };
}
