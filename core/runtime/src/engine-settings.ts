/**
 * Maps the deployment profile to what the engine needs: the settings ({@link EngineSettings}) and the enabled intent
 * plugins. The engine never sees the profile itself (nor credentials, adapters or paths).
 * @packageDocumentation
 */
import type { EngineSettings } from '@netloom/engine';
import { InputError, type InputProblem, type IntentPlugin, type Logger } from '@netloom/ports';
import { plugin as kubernetesPlugin } from '@netloom/plugin-kubernetes';
import { plugin as serviceLbPlugin } from '@netloom/plugin-service-lb';
import { plugin as vpcPeeringPlugin } from '@netloom/plugin-vpc-peering';
import { plugin as securityGroupsPlugin } from '@netloom/plugin-security-groups';
import type { AdapterRegistry } from './adapters/registry';
import { KNOWN_PLUGINS, type Profile } from './profile/profile.codec';

/** The intent plugins this build ships, by id (the profile's `plugins` list selects among them). */
export const BUILT_IN_PLUGINS: ReadonlyMap<string, IntentPlugin> = new Map([kubernetesPlugin, serviceLbPlugin, vpcPeeringPlugin, securityGroupsPlugin].map((p) => [p.id, p]));

/**
 * The intent plugins the profile enables, in the profile's order (the engine orders them by dependency). A name of
 * ARCHITECTURE §3 that this build does not ship yet (`qos`, `lldp-discovery`) is skipped with a
 * warning (pod QoS annotations are the kubernetes plugin's already); any other name is an error.
 * @throws InputError naming the path of each unknown plugin (`plugins[2]`)
 * @example intentPluginsFromProfile(profile, logger).map((p) => p.id) // ['kubernetes', 'service-lb', 'vpc-peering', 'security-groups']
 */
export function intentPluginsFromProfile(profile: Pick<Profile, 'plugins'>, logger?: Logger): IntentPlugin[] {
  const out: IntentPlugin[] = [];
  const problems: InputProblem[] = [];
  const planned: string[] = [];
  profile.plugins.forEach((name, i) => {
    const plugin = BUILT_IN_PLUGINS.get(name);
    if (plugin !== undefined) out.push(plugin);
    else if ((KNOWN_PLUGINS as readonly string[]).includes(name)) planned.push(name);
    else problems.push({ path: `plugins[${i}]`, reason: `${JSON.stringify(name)} is not an intent plugin of this build (available: ${[...BUILT_IN_PLUGINS.keys()].join(', ')})` });
  });
  if (problems.length > 0) throw InputError.fromProblems('profile', problems);
  if (planned.length > 0) logger?.warn({ plugins: planned }, 'these plugins are not part of this build yet and are skipped');
  return out;
}

/** The port each engine-driven role uses (whose capabilities the projection must respect). */
const ROLE_PORT = { leaf: 'fabric', vswitch: 'vswitch', firewall: 'firewall', loadBalancer: 'loadBalancer', router: 'fabric' } as const;

/**
 * The capabilities a device's adapter declares for the port of the device's role (sorted), and the adapter's id:
 * what the projection shapes the device's config to (ADR 0011). Undefined when the registry does not know the device.
 */
function declaredCapabilities(adapters: AdapterRegistry, name: string, role: keyof typeof ROLE_PORT): { capabilities: string[]; adapter: string } | undefined {
  let binding;
  try {
    binding = adapters.device(name);
  } catch {
    return undefined;
  }
  const manifest = binding.adapter.definition.supports[ROLE_PORT[role]] as Readonly<Record<string, boolean | undefined>> | undefined;
  // A capability a manifest leaves out (one added by a later port API minor) is not supported.
  const capabilities = Object.entries(manifest ?? {})
    .filter(([, on]) => on === true)
    .map(([n]) => n)
    .sort();
  return { capabilities, adapter: binding.adapter.definition.id };
}

/**
 * A router's uplink interface: the topology's `uplink`, else the router adapter's `options.uplink` (the
 * linux-router adapter's trunk), else none (the engine's default, `eth1`).
 */
function uplinkOf(profile: Profile, r: NonNullable<Profile['topology']['routers']>[number]): { uplink?: string } {
  if (r.uplink !== undefined) return { uplink: r.uplink };
  const options = profile.inventory.devices.find((d) => d.name === r.device)?.options;
  const uplink = typeof options === 'object' && options !== null ? (options as Record<string, unknown>).uplink : undefined;
  return typeof uplink === 'string' ? { uplink } : {};
}

/**
 * The engine's view of a profile. Discovery devices are not driven by the engine and are left out. With the
 * profile's loaded adapters, each device also carries the capabilities its adapter declares for its port and the
 * adapter's id, so the projection gives it only what it can do; without them, every device is assumed capable of
 * everything.
 * @example engineSettingsFromProfile(profile, await loadProfileAdapters(loaded)).devices[0]
 *   // { name: 'leaf1', role: 'leaf', capabilities: ['accessBinding', 'floodVtep', 'l2Segment'], adapter: 'hw-vtep' }
 */
export function engineSettingsFromProfile(profile: Profile, adapters?: AdapterRegistry): EngineSettings {
  const plan = profile.addressPlan;
  const devices: EngineSettings['devices'][number][] = [];
  for (const d of profile.inventory.devices) {
    if (d.role === 'discovery') continue;
    const declared = adapters === undefined ? undefined : declaredCapabilities(adapters, d.name, d.role);
    devices.push({ name: d.name, role: d.role, ...(d.role === 'leaf' && d.vtepIp !== undefined ? { vtepIp: d.vtepIp } : {}), ...(declared ?? {}) });
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
      ...(profile.topology.routers === undefined
        ? {}
        : {
            routers: profile.topology.routers.map((r) => ({
              device: r.device,
              leaf: r.leaf,
              port: r.port,
              ...uplinkOf(profile, r),
              ...(r.vpcs === undefined ? {} : { vpcs: [...r.vpcs] }),
            })),
          }),
      ...(profile.topology.firewalls === undefined
        ? {}
        : { firewalls: profile.topology.firewalls.map((f) => ({ device: f.device, leaf: f.leaf, port: f.port, ...(f.uplink === undefined ? {} : { uplink: f.uplink }) })) }),
    },
    devices,
  };
}
