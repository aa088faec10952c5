/**
 * How owned rows turn back into the vswitch vocabulary (`ownedConfig`) and the selects of one consistent read
 * (`readOperations`), for every OVS-compatible adapter: what differs (how an endpoint's attachment is stored, tunnel
 * ports) comes from the adapter's {@link VSwitchHooks}.
 *
 * @packageDocumentation
 */
import type * as t from 'io-ts';
import { op, type Operation } from '@netloom/ovsdb';
import {
  BridgeCodec,
  DeviceProtocolError,
  EndpointPortCodec,
  QosCodec,
  SecurityGroupRuleCodec,
  TunnelCodec,
  UplinkCodec,
  decodeProblems,
  emptyVSwitchConfig,
  type VSwitchConfig,
  type VSwitchKind,
} from '@netloom/ports';
import type { VSwitchHooks } from './hooks';
import { Ext, KEY_KEY, READ_COLUMNS, RowKind, SGR_PREFIX, decimalOf as num, effectiveFailMode, isOwnedAs, type BridgeRow, type DeviceState, type PortRow } from './rows';

/** The selects of one consistent read (one transaction), with the Interface columns the adapter's hooks add. */
export function readOperations(hooks: Pick<VSwitchHooks, 'tunnels'>): Operation[] {
  const extra = hooks.tunnels?.interfaceColumns ?? [];
  return Object.entries(READ_COLUMNS).map(([table, columns]) => op.select(table, [], table === 'Interface' ? [...columns, ...extra] : columns));
}

// ------------------------------------------------------------------------------------------------------------------
// Owned rows → vocabulary

/** The codec of each vocabulary kind (what an owned object must read back as). */
export const VSWITCH_KIND_CODECS: { readonly [K in VSwitchKind]: t.Mixed } = {
  bridge: BridgeCodec,
  qos: QosCodec,
  securityGroupRule: SecurityGroupRuleCodec,
  uplink: UplinkCodec,
  tunnel: TunnelCodec,
  endpointPort: EndpointPortCodec,
};

function decodeObject(kind: VSwitchKind, raw: Record<string, unknown>, where: string): Record<string, unknown> & { key: string } {
  const r = decodeProblems(VSWITCH_KIND_CODECS[kind], raw);
  if (r.value === undefined) {
    const lines = r.problems.map((p) => `${p.path || '(root)'}: ${p.reason}`);
    throw new DeviceProtocolError(`${where} carries netloom's mark but does not read back as a ${kind}: ${lines.join('; ')} (repair or remove it)`, { details: { kind, problems: r.problems } });
  }
  return r.value as Record<string, unknown> & { key: string };
}

const list = (s: string | undefined): string[] => (s === undefined || s === '' ? [] : s.split(','));

/** The codec of each kind an adapter with these hooks writes (`tunnel` only with tunnel hooks). */
export function kindCodecsOf(hooks: Pick<VSwitchHooks, 'tunnels'>): Readonly<Record<string, t.Mixed>> {
  const { tunnel, ...rest } = VSWITCH_KIND_CODECS;
  return hooks.tunnels !== undefined ? { ...rest, tunnel } : rest;
}

/**
 * The vocabulary objects netloom owns, read from the rows (each object decoded with its kind's codec, so the result
 * is canonical). References between kinds are not checked: drift may leave a port pointing at a deleted profile.
 *
 * How fields are read back: bridge `failMode` from the column when it was given explicitly (else omitted while it is
 * the default `secure`); uplink `allowedVlans` from `trunks`; tunnels as the tunnel hooks read them (none without);
 * endpoint `attachment` as the attachment hooks read it; MAC, IPs, endpoint id, pod, groups and the QoS profile name
 * from the port's `netloom-*` external_ids; inline QoS from the interface's policing columns and the port's own QoS
 * row; profiles and rules from their records.
 *
 * @throws DeviceProtocolError when a marked row does not read back as its kind.
 */
export function ownedConfig(hooks: Pick<VSwitchHooks, 'attachment' | 'tunnels'>, state: DeviceState): VSwitchConfig {
  const out = emptyVSwitchConfig() as unknown as Record<string, Record<string, unknown>>;
  const put = (kind: VSwitchKind, raw: Record<string, unknown>, where: string): void => {
    const o = decodeObject(kind, raw, where);
    out[kind]![o.key] = o;
  };
  for (const b of state.bridges) {
    if (!isOwnedAs(b.external_ids, RowKind.bridge)) continue;
    const explicit = b.external_ids.has(Ext.failMode);
    const adopted = b.external_ids.get(Ext.adopted) === 'true';
    const actual = effectiveFailMode(b);
    const failMode = explicit ? actual : adopted || actual === 'secure' ? undefined : actual;
    put('bridge', { key: b.name, name: b.name, ...(failMode !== undefined ? { failMode } : {}) }, `bridge ${b.name}`);
  }
  for (const q of state.qos) {
    if (!isOwnedAs(q.external_ids, RowKind.qos)) continue;
    const name = q.external_ids.get(KEY_KEY) ?? '';
    const e = q.external_ids;
    const fields = { ingressRateKbps: num(e.get(Ext.ingressRate)), ingressBurstKb: num(e.get(Ext.ingressBurst)), egressRateKbps: num(e.get(Ext.egressRate)), egressBurstKb: num(e.get(Ext.egressBurst)) };
    put('qos', { key: name, name, ...defined(fields) }, `QoS ${q._uuid}`);
  }
  for (const [k, v] of state.ovs.external_ids) {
    if (!k.startsWith(SGR_PREFIX)) continue;
    let raw: unknown;
    try {
      raw = JSON.parse(v);
    } catch (e) {
      throw new DeviceProtocolError(`Open_vSwitch external_ids:${k} is not JSON (repair or remove it)`, { cause: e, details: { key: k } });
    }
    const rule = decodeObject('securityGroupRule', (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>, `Open_vSwitch external_ids:${k}`);
    if (`${SGR_PREFIX}${rule.key}` !== k) throw new DeviceProtocolError(`Open_vSwitch external_ids:${k} holds rule ${JSON.stringify(rule.key)} (repair or remove it)`, { details: { key: k } });
    out['securityGroupRule']![rule.key] = rule;
  }
  for (const p of state.ports) {
    const bridge = state.bridgeOfPort.get(p._uuid);
    if (bridge === undefined) continue;
    if (isOwnedAs(p.external_ids, RowKind.uplink)) {
      put('uplink', { key: p.name, name: p.name, bridge: bridge.name, ...(p.trunks.length > 0 ? { allowedVlans: [...p.trunks] } : {}) }, `uplink ${p.name}`);
    } else if (hooks.tunnels !== undefined && isOwnedAs(p.external_ids, RowKind.tunnel)) {
      put('tunnel', hooks.tunnels.read(state, p, bridge), `tunnel ${p.name}`);
    } else if (isOwnedAs(p.external_ids, RowKind.endpointPort)) {
      put('endpointPort', endpointFromRows(hooks, state, p, bridge), `endpoint port ${p.name}`);
    }
  }
  return out as unknown as VSwitchConfig;
}

function defined<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function endpointFromRows(hooks: Pick<VSwitchHooks, 'attachment'>, state: DeviceState, p: PortRow, bridge: BridgeRow): Record<string, unknown> {
  const e = p.external_ids;
  const iface = state.interfacesOf(p)[0];
  const ns = e.get(Ext.podNamespace);
  const podName = e.get(Ext.podName);
  const groups = list(e.get(Ext.securityGroups));
  let qos: unknown;
  const named = e.get(Ext.qosName);
  if (named !== undefined) qos = named;
  else {
    const own = state.ownedQos(RowKind.portQos, p.name);
    const queue = own !== undefined ? state.queueByUuid.get(own.queues.get(0) ?? '') : undefined;
    const maxRate = num(own?.other_config.get('max-rate'));
    const burst = num(queue?.other_config.get('burst'));
    const limits = defined({
      ingressRateKbps: maxRate !== undefined ? Math.round(maxRate / 1000) : undefined,
      ingressBurstKb: burst !== undefined ? Math.round(burst / 1000) : undefined,
      egressRateKbps: iface !== undefined && iface.ingress_policing_rate > 0 ? iface.ingress_policing_rate : undefined,
      egressBurstKb: iface !== undefined && iface.ingress_policing_rate > 0 && iface.ingress_policing_burst > 0 ? iface.ingress_policing_burst : undefined,
    });
    if (Object.keys(limits).length > 0) qos = limits;
  }
  return {
    key: p.name,
    name: p.name,
    bridge: bridge.name,
    mac: e.get(Ext.mac) ?? iface?.external_ids.get(Ext.attachedMac) ?? '',
    ips: list(e.get(Ext.ips)),
    attachment: hooks.attachment.read(p),
    endpointId: e.get(Ext.endpointId) ?? iface?.external_ids.get(Ext.ifaceId) ?? '',
    ...(ns !== undefined && podName !== undefined ? { pod: { namespace: ns, name: podName } } : {}),
    ...(qos !== undefined ? { qos } : {}),
    ...(groups.length > 0 ? { securityGroups: groups } : {}),
  };
}
