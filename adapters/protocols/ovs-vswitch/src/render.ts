/**
 * Rendering a change list into what apply runs: three OVSDB transactions (`pre`: bridges netloom creates or
 * adopts, and their Controller rows; `main`: ports, tunnels, QoS, rules, bridge updates; `post`: bridges it deletes
 * or releases), the OpenFlow port numbers of endpoint ports and tunnels, the desired flows per bridge and the
 * flow_mods expected around the main transaction. Pure: it reads a {@link DeviceState} and never talks to a device.
 * Shared by every OVS-compatible adapter; tunnels, the attachment of endpoint ports and the pipeline come from the
 * adapter's {@link VSwitchHooks}.
 *
 * Apply runs: `pre` → flow adds (so an isolated port's flows exist before the port does) → `main` → flow resync
 * (deletes, and repairs) → `post` (a bridge goes after its flows).
 *
 * @packageDocumentation
 */
import { asUuid, namedUuid, op, type NamedUuid, type Operation, type RowInput, type Uuid } from '@netloom/ovsdb';
import type { FlowMod, FlowStats } from '@netloom/openflow';
import { stableStringify, type Bridge, type Change, type EndpointPort, type QosLimits, type SecurityGroupRule, type Uplink, type VSwitchConfig } from '@netloom/ports';
import { diffFlows, type FlowEntry } from './flows';
import type { VSwitchHooks } from './hooks';
import { controllerTarget, type ResolvedVSwitchOptions } from './options';
import { type DeviceState, Ext, KEY_KEY, KIND_KEY, OWNER, OWNER_KEY, RowKind, SGR_PREFIX, effectiveFailMode, isOwned, isOwnedAs, type BridgeRow, type PortRow, type QosRow } from './rows';

/** The hooks rendering uses. */
export type RenderHooks = Pick<VSwitchHooks, 'attachment' | 'flows' | 'bridgeProtocols' | 'extraInterfaceExternalIds' | 'tunnels'>;

/** `Bridge.protocols` of a bridge netloom creates when the hooks name none: 1.3 for netloom, 1.0 for `ovs-ofctl` without `-O`. */
export const DEFAULT_BRIDGE_PROTOCOLS: readonly string[] = ['OpenFlow10', 'OpenFlow13'];

/** The first OpenFlow port number netloom requests for endpoint ports and tunnels (an endpoint's is also its conntrack zone). */
export const FIRST_OFPORT = 1000;
/** The largest OpenFlow port number OVS accepts in `ofport_request`. */
export const LAST_OFPORT = 65279;
/** QoS type netloom writes (Linux HTB shaping; works with both datapaths on Linux netdevs). */
export const QOS_TYPE = 'linux-htb';

/** What {@link renderChanges} needs. */
export interface RenderInput {
  readonly desired: VSwitchConfig;
  readonly observed: VSwitchConfig;
  readonly changes: readonly Change[];
  readonly state: DeviceState;
  readonly options: ResolvedVSwitchOptions;
  /** OpenFlow numbers to reuse for ports that are created again (a rollback restores the old numbers). */
  readonly ofportHints?: ReadonlyMap<string, number>;
  /** Flows per bridge as read (a bridge absent here is assumed to hold none of netloom's flows). */
  readonly flows: ReadonlyMap<string, readonly FlowStats[]>;
}

/** The result of {@link renderChanges}. */
export interface RenderedChanges {
  /** Transaction 1: bridges created or adopted, Controller rows. */
  readonly pre: readonly Operation[];
  /** Transaction 2: everything else but bridge removal. */
  readonly main: readonly Operation[];
  /** Transaction 3: bridges deleted or released. */
  readonly post: readonly Operation[];
  /** OpenFlow port number of every desired endpoint port (= its conntrack zone) and tunnel. */
  readonly ofports: ReadonlyMap<string, number>;
  /** The flows netloom wants, per desired bridge. */
  readonly flows: ReadonlyMap<string, readonly FlowEntry[]>;
  /** Bridges whose flows are brought in line after `main` (desired and formerly owned ones). */
  readonly flowBridges: readonly string[];
  /** Expected flow adds before `main`, per bridge. */
  readonly flowAdds: ReadonlyMap<string, readonly FlowMod[]>;
  /** Expected flow deletes after `main`, per bridge. */
  readonly flowDeletes: ReadonlyMap<string, readonly FlowMod[]>;
  /** Why this change set cannot be applied to the device as it is (empty: it can). */
  readonly conflicts: readonly string[];
}

/** The external_ids marks of a netloom row. */
export function marks(kind: string, key: string): Record<string, string> {
  return { [OWNER_KEY]: OWNER, [KIND_KEY]: kind, [KEY_KEY]: key };
}

/** The external_ids keys netloom manages on an endpoint port's Port row (deleted before a rewrite). */
export function portExtKeys(hooks: Pick<VSwitchHooks, 'attachment'>): string[] {
  return [OWNER_KEY, KIND_KEY, KEY_KEY, Ext.endpointId, Ext.mac, Ext.ips, ...hooks.attachment.externalIdKeys, Ext.podNamespace, Ext.podName, Ext.securityGroups, Ext.qosName];
}
/** The external_ids keys netloom manages on an endpoint port's Interface row. */
export function ifaceExtKeys(hooks: Pick<VSwitchHooks, 'extraInterfaceExternalIds'>): string[] {
  return [OWNER_KEY, KIND_KEY, KEY_KEY, Ext.attachedMac, Ext.ifaceId, Ext.ifaceStatus, ...Object.keys(hooks.extraInterfaceExternalIds ?? {})];
}

function portExternalIds(hooks: RenderHooks, p: EndpointPort): Record<string, string> {
  return {
    ...marks(RowKind.endpointPort, p.name),
    [Ext.endpointId]: p.endpointId,
    [Ext.mac]: p.mac,
    [Ext.ips]: p.ips.join(','),
    ...hooks.attachment.externalIds(p),
    ...(p.pod !== undefined ? { [Ext.podNamespace]: p.pod.namespace, [Ext.podName]: p.pod.name } : {}),
    ...((p.securityGroups ?? []).length > 0 ? { [Ext.securityGroups]: (p.securityGroups ?? []).join(',') } : {}),
    ...(typeof p.qos === 'string' ? { [Ext.qosName]: p.qos } : {}),
  };
}

function ifaceExternalIds(hooks: RenderHooks, p: EndpointPort): Record<string, string> {
  // attached-mac / iface-id / iface-status: what OVN and the OVS CNI plugins write, so their tools read it too.
  return { ...hooks.extraInterfaceExternalIds, ...marks(RowKind.endpointIface, p.name), [Ext.attachedMac]: p.mac, [Ext.ifaceId]: p.endpointId, [Ext.ifaceStatus]: 'active' };
}

function profileExternalIds(q: QosLimits): Record<string, string> {
  const out: Record<string, string> = {};
  if (q.ingressRateKbps !== undefined) out[Ext.ingressRate] = String(q.ingressRateKbps);
  if (q.ingressBurstKb !== undefined) out[Ext.ingressBurst] = String(q.ingressBurstKb);
  if (q.egressRateKbps !== undefined) out[Ext.egressRate] = String(q.egressRateKbps);
  if (q.egressBurstKb !== undefined) out[Ext.egressBurst] = String(q.egressBurstKb);
  return out;
}

/** The key of a rule's record in `Open_vSwitch.external_ids`. */
export const ruleRecordKey = (key: string): string => `${SGR_PREFIX}${key}`;

/** The text of a rule's record (canonical JSON). */
export const ruleRecord = (rule: SecurityGroupRule): string => stableStringify(rule);

/**
 * Wraps a phase's operations into the transaction apply sends: assert the lock (when there is one), the operations,
 * then `next_cfg += 1` and a read of it, so apply can wait until ovs-vswitchd has applied the change (as
 * ovs-vsctl does).
 */
export function wrapTransaction(ops: readonly Operation[], lock: string | undefined): Operation[] {
  return [...(lock !== undefined ? [op.assert(lock)] : []), ...ops, op.mutate('Open_vSwitch', [], [['next_cfg', '+=', 1]]), op.select('Open_vSwitch', [], ['next_cfg'])];
}

/**
 * Renders `changes` (which turn `observed` into `desired`) against the device as read. Deterministic: the same
 * input gives the same operations, uuid-names and flows. Problems that make the change set inapplicable (a name
 * taken by a row netloom does not own, a bridge it may not adopt, a bridge with foreign ports to delete, a
 * foreign flow in the way) are returned as `conflicts`, not thrown.
 */
export function renderChanges(hooks: RenderHooks, input: RenderInput): RenderedChanges {
  const { desired, observed, changes, state: s, options } = input;
  const conflicts: string[] = [];
  const pre: Operation[] = [];
  const main: Operation[] = [];
  const post: Operation[] = [];
  let counter = 0;
  const name = (prefix: string): string => `${prefix}${++counter}`;
  const target = controllerTarget(options.openflow);
  const of = (kind: string): Change[] => changes.filter((c) => c.kind === kind);
  const whereName = (n: string) => [['name', '==', n] as const];
  const whereUuid = (u: string) => [['_uuid', '==', asUuid(u)] as const];

  const controllerRow = (bridge: string): RowInput => ({ target, connection_mode: 'out-of-band', external_ids: marks(RowKind.controller, bridge) });
  const bridgeMarks = (b: Bridge): Record<string, string> => ({ ...marks(RowKind.bridge, b.name), ...(b.failMode !== undefined ? { [Ext.failMode]: b.failMode } : {}) });

  // --- bridges --------------------------------------------------------------------------------------------------
  const touchedBridges = new Set<string>();
  for (const c of of('bridge')) {
    const b = (c.after ?? c.before) as Bridge;
    const row = s.bridgeByName.get(b.name);
    touchedBridges.add(b.name);
    if (c.op === 'create') {
      if (row !== undefined && isOwnedAs(row.external_ids, RowKind.bridge)) {
        conflicts.push(`bridge ${b.name} is already netloom's (observe again and plan again)`);
      } else if (row !== undefined) {
        if (!options.adoptBridges.includes(b.name)) {
          conflicts.push(`bridge ${b.name} exists and was not created by netloom; list it in the adoptBridges option to let netloom adopt it`);
          continue;
        }
        if (b.failMode !== undefined && b.failMode !== effectiveFailMode(row)) {
          conflicts.push(`bridge ${b.name} (adopted) has fail mode ${effectiveFailMode(row)}; netloom does not change the fail mode of a bridge it adopts (OVS would flush every flow on it)`);
          continue;
        }
        const addOf13 = row.protocols.length > 0 && !row.protocols.includes('OpenFlow13');
        const ext = { ...bridgeMarks(b), [Ext.adopted]: 'true', ...(addOf13 ? { [Ext.addedOpenFlow13]: 'true' } : {}) };
        const ctl = name('ctl');
        pre.push(op.insert('Controller', controllerRow(b.name), ctl));
        pre.push(
          op.mutate('Bridge', whereName(b.name), [
            ['external_ids', 'delete', Object.keys(ext)],
            ['external_ids', 'insert', ext],
            ['controller', 'insert', [namedUuid(ctl)]],
            ...(addOf13 ? [['protocols', 'insert', ['OpenFlow13']] as const] : []),
          ]),
        );
      } else {
        const ctl = name('ctl');
        const br = name('br');
        pre.push(op.insert('Controller', controllerRow(b.name), ctl));
        pre.push(
          op.insert(
            'Bridge',
            {
              name: b.name,
              fail_mode: b.failMode ?? 'secure',
              protocols: [...(hooks.bridgeProtocols ?? DEFAULT_BRIDGE_PROTOCOLS)],
              controller: [namedUuid(ctl)],
              ...(options.datapathType !== undefined ? { datapath_type: options.datapathType } : {}),
              other_config: { 'disable-in-band': 'true' },
              external_ids: bridgeMarks(b),
            },
            br,
          ),
        );
        pre.push(op.mutate('Open_vSwitch', [], [['bridges', 'insert', [namedUuid(br)]]]));
      }
    } else if (c.op === 'update') {
      if (row === undefined || !isOwnedAs(row.external_ids, RowKind.bridge)) {
        conflicts.push(`bridge ${b.name} is not netloom's on the device (observe again and plan again)`);
        continue;
      }
      const adopted = row.external_ids.get(Ext.adopted) === 'true';
      const marker: [string, 'delete' | 'insert', string[] | Record<string, string>][] = [['external_ids', 'delete', [Ext.failMode]]];
      if (b.failMode !== undefined) marker.push(['external_ids', 'insert', { [Ext.failMode]: b.failMode }]);
      if (adopted) {
        if (b.failMode !== undefined && b.failMode !== effectiveFailMode(row)) {
          conflicts.push(`bridge ${b.name} (adopted) has fail mode ${effectiveFailMode(row)}; netloom does not change the fail mode of a bridge it adopts (OVS would flush every flow on it)`);
          continue;
        }
        main.push(op.mutate('Bridge', whereName(b.name), marker));
      } else {
        // NOTE: OVS flushes a bridge's flows when its fail mode changes and it has no primary controller; the flow
        // resync after this transaction puts netloom's back.
        main.push(op.update('Bridge', whereName(b.name), { fail_mode: b.failMode ?? 'secure' }));
        main.push(op.mutate('Bridge', whereName(b.name), marker));
      }
    } else {
      if (row === undefined) continue;
      if (row.external_ids.get(Ext.adopted) === 'true') {
        post.push(op.mutate('Bridge', whereName(b.name), releaseMutations(s, row)));
      } else {
        const foreign = row.ports.map((u) => s.portByUuid.get(u)).filter((p) => p !== undefined && !isOwned(p.external_ids));
        if (foreign.length > 0) {
          conflicts.push(`bridge ${b.name} holds ports netloom does not own (${foreign.map((p) => p!.name).join(', ')}); deleting it would delete them`);
          continue;
        }
        post.push(op.mutate('Open_vSwitch', [], [['bridges', 'delete', [asUuid(row._uuid)]]]));
      }
    }
  }
  // Bridges netloom keeps: make sure each has netloom's Controller row with the current target.
  for (const bn of Object.keys(desired.bridge).sort()) {
    if (touchedBridges.has(bn) && !Object.prototype.hasOwnProperty.call(observed.bridge, bn)) continue;
    const row = s.bridgeByName.get(bn);
    if (row === undefined || !isOwnedAs(row.external_ids, RowKind.bridge)) continue;
    const ctls = s.ownedControllers(row);
    if (ctls.length === 0) {
      const ctl = name('ctl');
      pre.push(op.insert('Controller', controllerRow(bn), ctl));
      pre.push(op.mutate('Bridge', whereName(bn), [['controller', 'insert', [namedUuid(ctl)]]]));
    } else {
      if (ctls[0]!.target !== target) pre.push(op.update('Controller', whereUuid(ctls[0]!._uuid), { target }));
      if (ctls.length > 1) pre.push(op.mutate('Bridge', whereName(bn), [['controller', 'delete', ctls.slice(1).map((c) => asUuid(c._uuid))]]));
    }
  }

  // --- QoS profiles ---------------------------------------------------------------------------------------------
  const profileRef = new Map<string, Uuid | NamedUuid>();
  const changedProfiles = new Set<string>();
  for (const [qn] of Object.entries(desired.qos)) {
    const row = s.ownedQos(RowKind.qos, qn);
    if (row !== undefined) profileRef.set(qn, asUuid(row._uuid));
  }
  const qosRows = new QosRows(s, name);
  for (const c of of('qos')) {
    const q = (c.after ?? c.before) as unknown as QosLimits & { name: string };
    const row = s.ownedQos(RowKind.qos, q.name);
    if (c.op === 'delete') {
      if (row !== undefined) main.push(...qosRows.remove(row));
      continue;
    }
    changedProfiles.add(q.name);
    const ext = { ...marks(RowKind.qos, q.name), ...profileExternalIds(q) };
    if (row === undefined) {
      const r = qosRows.insert(q, ext, `qos:${q.name}`);
      main.push(...r.ops);
      profileRef.set(q.name, r.ref);
    } else {
      main.push(...qosRows.update(row, q, ext, `qos:${q.name}`));
    }
  }

  // --- security-group rules (records on the Open_vSwitch row) ----------------------------------------------------
  const ruleChanges = of('securityGroupRule');
  if (ruleChanges.length > 0) {
    const remove = ruleChanges.filter((c) => c.op !== 'create').map((c) => ruleRecordKey(c.key));
    const add: Record<string, string> = {};
    for (const c of ruleChanges) if (c.op !== 'delete') add[ruleRecordKey(c.key)] = ruleRecord(c.after as SecurityGroupRule);
    main.push(
      op.mutate('Open_vSwitch', [], [
        ...(remove.length > 0 ? [['external_ids', 'delete', remove] as const] : []),
        ...(Object.keys(add).length > 0 ? [['external_ids', 'insert', add] as const] : []),
      ]),
    );
  }

  // --- uplinks --------------------------------------------------------------------------------------------------
  const move = (uuid: string, from: string | undefined, to: string): void => {
    if (from === to) return;
    if (from !== undefined) main.push(op.mutate('Bridge', whereName(from), [['ports', 'delete', [asUuid(uuid)]]]));
    main.push(op.mutate('Bridge', whereName(to), [['ports', 'insert', [asUuid(uuid)]]]));
  };
  for (const c of of('uplink')) {
    const u = (c.after ?? c.before) as Uplink;
    const row = s.portByName.get(u.name);
    if (c.op === 'create') {
      if (row !== undefined || s.ifaceByName.has(u.name)) {
        conflicts.push(`a port or interface named ${u.name} already exists and is not netloom's uplink`);
        continue;
      }
      const i = name('iface');
      const p = name('port');
      main.push(op.insert('Interface', { name: u.name, external_ids: marks(RowKind.uplinkIface, u.name) }, i));
      main.push(op.insert('Port', { name: u.name, interfaces: [namedUuid(i)], trunks: [...(u.allowedVlans ?? [])], vlan_mode: 'trunk', external_ids: marks(RowKind.uplink, u.name) }, p));
      main.push(op.mutate('Bridge', whereName(u.bridge), [['ports', 'insert', [namedUuid(p)]]]));
    } else if (c.op === 'update') {
      if (row === undefined || !isOwnedAs(row.external_ids, RowKind.uplink)) {
        conflicts.push(`uplink ${u.name} is not on the device (observe again and plan again)`);
        continue;
      }
      main.push(op.update('Port', whereName(u.name), { trunks: [...(u.allowedVlans ?? [])], vlan_mode: 'trunk' }));
      move(row._uuid, s.bridgeOfPort.get(row._uuid)?.name, u.bridge);
    } else if (row !== undefined) {
      const bridge = s.bridgeOfPort.get(row._uuid);
      if (bridge !== undefined) main.push(...removePort(s, bridge.name, row));
    }
  }

  // --- tunnels (adapters with tunnel hooks) --------------------------------------------------------------------
  const ofports = allocateOfports(hooks, desired, s, input.ofportHints);
  hooks.tunnels?.render({ state: s, changes: of('tunnel'), ofports, main, conflicts, name, move, removePort: (bridge, row) => removePort(s, bridge, row) });

  // --- endpoint ports -------------------------------------------------------------------------------------------
  const endpointChanges = new Map(of('endpointPort').map((c) => [c.key, c]));
  for (const pn of Object.keys(desired.endpointPort).sort()) {
    const p = desired.endpointPort[pn]!;
    if (!endpointChanges.has(pn) && typeof p.qos === 'string' && changedProfiles.has(p.qos) && s.portByName.has(pn)) {
      endpointChanges.set(pn, { op: 'update', kind: 'endpointPort', key: pn, before: observed.endpointPort[pn] ?? p, after: p });
    }
  }
  for (const pn of [...endpointChanges.keys()].sort()) {
    const c = endpointChanges.get(pn)!;
    const p = (c.after ?? c.before) as EndpointPort;
    const row = s.portByName.get(p.name);
    const ownQos = s.ownedQos(RowKind.portQos, p.name);
    if (c.op === 'delete') {
      if (row === undefined) continue;
      const bridge = s.bridgeOfPort.get(row._uuid);
      if (bridge !== undefined) main.push(...removePort(s, bridge.name, row));
      if (ownQos !== undefined) main.push(...qosRows.remove(ownQos));
      continue;
    }
    if (c.op === 'create' && (row !== undefined || s.ifaceByName.has(p.name))) {
      conflicts.push(`a port or interface named ${p.name} already exists and is not netloom's endpoint port`);
      continue;
    }
    if (c.op === 'update' && (row === undefined || !isOwnedAs(row.external_ids, RowKind.endpointPort))) {
      conflicts.push(`endpoint port ${p.name} is not on the device (observe again and plan again)`);
      continue;
    }
    // QoS: a named profile (shared QoS row), inline limits (the port's own QoS row), or none.
    let limits: QosLimits | undefined;
    let qosRef: Uuid | NamedUuid | undefined;
    if (typeof p.qos === 'string') {
      limits = desired.qos[p.qos];
      if (limits?.ingressRateKbps !== undefined) qosRef = profileRef.get(p.qos);
      if (ownQos !== undefined) main.push(...qosRows.remove(ownQos));
    } else if (p.qos !== undefined) {
      limits = p.qos;
      const ext = marks(RowKind.portQos, p.name);
      if (limits.ingressRateKbps !== undefined) {
        if (ownQos === undefined) {
          const r = qosRows.insert(limits, ext, `port-qos:${p.name}`);
          main.push(...r.ops);
          qosRef = r.ref;
        } else {
          main.push(...qosRows.update(ownQos, limits, ext, `port-qos:${p.name}`));
          qosRef = asUuid(ownQos._uuid);
        }
      } else if (ownQos !== undefined) main.push(...qosRows.remove(ownQos));
    } else if (ownQos !== undefined) main.push(...qosRows.remove(ownQos));
    const policing = { ingress_policing_rate: limits?.egressRateKbps ?? 0, ingress_policing_burst: limits?.egressRateKbps !== undefined ? (limits.egressBurstKb ?? 0) : 0 };
    const tag = hooks.attachment.tag(p);
    const ofport = ofports.get(p.name);
    if (c.op === 'create') {
      const i = name('iface');
      const pt = name('port');
      main.push(op.insert('Interface', { name: p.name, ...(ofport !== undefined ? { ofport_request: ofport } : {}), external_ids: ifaceExternalIds(hooks, p), ...policing }, i));
      main.push(op.insert('Port', { name: p.name, interfaces: [namedUuid(i)], tag, vlan_mode: 'access', qos: qosRef !== undefined ? [qosRef] : [], external_ids: portExternalIds(hooks, p) }, pt));
      main.push(op.mutate('Bridge', whereName(p.bridge), [['ports', 'insert', [namedUuid(pt)]]]));
    } else {
      const ifaceName = s.interfacesOf(row!)[0]?.name ?? p.name;
      main.push(op.update('Port', whereName(p.name), { tag, vlan_mode: 'access', qos: qosRef !== undefined ? [qosRef] : [] }));
      main.push(op.mutate('Port', whereName(p.name), [['external_ids', 'delete', portExtKeys(hooks)], ['external_ids', 'insert', portExternalIds(hooks, p)]]));
      main.push(op.update('Interface', whereName(ifaceName), { ...(ofport !== undefined ? { ofport_request: ofport } : {}), ...policing }));
      main.push(op.mutate('Interface', whereName(ifaceName), [['external_ids', 'delete', ifaceExtKeys(hooks)], ['external_ids', 'insert', ifaceExternalIds(hooks, p)]]));
      move(row!._uuid, s.bridgeOfPort.get(row!._uuid)?.name, p.bridge);
    }
  }

  // --- flows ----------------------------------------------------------------------------------------------------
  const flows = hooks.flows.desiredFlows(desired, ofports);
  const flowBridges = [...new Set([...Object.keys(desired.bridge), ...Object.keys(observed.bridge)])].sort();
  const flowAdds = new Map<string, FlowMod[]>();
  const flowDeletes = new Map<string, FlowMod[]>();
  for (const bn of flowBridges) {
    const d = diffFlows(flows.get(bn) ?? [], input.flows.get(bn) ?? [], hooks.flows.textStyle);
    if (flows.has(bn) && d.adds.length > 0) flowAdds.set(bn, d.adds);
    if (d.deletes.length > 0) flowDeletes.set(bn, d.deletes);
    conflicts.push(...d.conflicts.map((x) => `bridge ${bn}: ${x}`));
  }
  return { pre, main, post, ofports, flows, flowBridges, flowAdds, flowDeletes, conflicts };
}

/**
 * Takes a port off its bridge and deletes its Port and Interface rows explicitly. Leaving them to OVSDB's garbage
 * collection is not enough: ovsdb-server checks references before it collects garbage, so a QoS row deleted in
 * the same transaction would still be referenced by the unreferenced Port ("referential integrity violation").
 */
function removePort(s: DeviceState, bridge: string, row: PortRow): Operation[] {
  return [
    op.mutate('Bridge', [['name', '==', bridge]], [['ports', 'delete', [asUuid(row._uuid)]]]),
    op.delete('Port', [['_uuid', '==', asUuid(row._uuid)]]),
    ...row.interfaces.filter((u) => s.ifaceByUuid.has(u)).map((u) => op.delete('Interface', [['_uuid', '==', asUuid(u)]])),
  ];
}

function releaseMutations(s: DeviceState, row: BridgeRow): [string, 'delete', string[] | Uuid[]][] {
  const keys = [...row.external_ids.keys()].filter((k) => k.startsWith('netloom-'));
  const ctls = s.ownedControllers(row).map((c) => asUuid(c._uuid));
  const out: [string, 'delete', string[] | Uuid[]][] = [['external_ids', 'delete', keys]];
  if (ctls.length > 0) out.push(['controller', 'delete', ctls]);
  if (row.external_ids.get(Ext.addedOpenFlow13) === 'true') out.push(['protocols', 'delete', ['OpenFlow13']]);
  return out;
}

/** QoS and Queue rows for a set of limits (directions seen from the endpoint; see the README). */
class QosRows {
  constructor(
    private readonly s: DeviceState,
    private readonly name: (prefix: string) => string,
  ) {}

  private static qosConfig(l: QosLimits): Record<string, string> {
    // Endpoint ingress = traffic OVS sends out of the port = OVS egress shaping (bits per second).
    return l.ingressRateKbps !== undefined ? { 'max-rate': String(l.ingressRateKbps * 1000) } : {};
  }

  private static queueConfig(l: QosLimits): Record<string, string> {
    return { 'max-rate': String((l.ingressRateKbps ?? 0) * 1000), ...(l.ingressBurstKb !== undefined ? { burst: String(l.ingressBurstKb * 1000) } : {}) };
  }

  insert(l: QosLimits, ext: Record<string, string>, queueKey: string): { ops: Operation[]; ref: NamedUuid } {
    const ops: Operation[] = [];
    const q = this.name('qos');
    let queues = new Map<number, NamedUuid>();
    if (l.ingressRateKbps !== undefined) {
      const qu = this.name('queue');
      ops.push(op.insert('Queue', { other_config: QosRows.queueConfig(l), external_ids: marks(RowKind.queue, queueKey) }, qu));
      queues = new Map([[0, namedUuid(qu)]]);
    }
    ops.push(op.insert('QoS', { type: QOS_TYPE, other_config: QosRows.qosConfig(l), queues, external_ids: ext }, q));
    return { ops, ref: namedUuid(q) };
  }

  update(row: QosRow, l: QosLimits, ext: Record<string, string>, queueKey: string): Operation[] {
    const ops: Operation[] = [];
    const existing = row.queues.get(0);
    let queues: Map<number, Uuid | NamedUuid> = new Map();
    if (l.ingressRateKbps !== undefined) {
      if (existing !== undefined && this.s.queueByUuid.has(existing)) {
        ops.push(op.update('Queue', [['_uuid', '==', asUuid(existing)]], { other_config: QosRows.queueConfig(l), external_ids: marks(RowKind.queue, queueKey) }));
        queues = new Map([[0, asUuid(existing)]]);
      } else {
        const qu = this.name('queue');
        ops.push(op.insert('Queue', { other_config: QosRows.queueConfig(l), external_ids: marks(RowKind.queue, queueKey) }, qu));
        queues = new Map([[0, namedUuid(qu)]]);
      }
    }
    ops.push(op.update('QoS', [['_uuid', '==', asUuid(row._uuid)]], { type: QOS_TYPE, other_config: QosRows.qosConfig(l), queues, external_ids: ext }));
    for (const [k, u] of row.queues) if (!(k === 0 && l.ingressRateKbps !== undefined)) ops.push(op.delete('Queue', [['_uuid', '==', asUuid(u)]]));
    return ops;
  }

  remove(row: QosRow): Operation[] {
    return [op.delete('QoS', [['_uuid', '==', asUuid(row._uuid)]]), ...[...row.queues.values()].map((u) => op.delete('Queue', [['_uuid', '==', asUuid(u)]]))];
  }
}

/** True when an Interface row is one of netloom's numbered ones: an endpoint port's, or a tunnel's with tunnel hooks. */
export function isNumberedIface(hooks: Pick<VSwitchHooks, 'tunnels'>, ext: ReadonlyMap<string, string>): boolean {
  return isOwnedAs(ext, RowKind.endpointIface) || (hooks.tunnels !== undefined && isOwnedAs(ext, RowKind.tunnelIface));
}

/** The OpenFlow number each of netloom's numbered interfaces (endpoint ports, tunnels) requests, by name. */
export function requestedOfports(hooks: Pick<VSwitchHooks, 'tunnels'>, s: DeviceState): Map<string, number> {
  const out = new Map<string, number>();
  for (const i of s.interfaces) if (isNumberedIface(hooks, i.external_ids) && i.ofport_request !== null) out.set(i.name, i.ofport_request);
  return out;
}

/**
 * OpenFlow port numbers for the desired endpoint ports (also their conntrack zones) and, with tunnel hooks, tunnels:
 * a port keeps the number its interface requests; a new one gets its hint when free, else the lowest number from
 * {@link FIRST_OFPORT} that no interface on the node uses or requests. Ports are numbered in name order (names are
 * unique across kinds), so the result is deterministic.
 */
export function allocateOfports(hooks: Pick<VSwitchHooks, 'tunnels'>, desired: VSwitchConfig, s: DeviceState, hints?: ReadonlyMap<string, number>): Map<string, number> {
  const out = new Map<string, number>();
  const used = s.usedOfports();
  const names = [...Object.keys(desired.endpointPort), ...(hooks.tunnels !== undefined ? Object.keys(desired.tunnel) : [])].sort();
  for (const n of names) {
    const iface = s.ifaceByName.get(n);
    if (iface !== undefined && isNumberedIface(hooks, iface.external_ids) && iface.ofport_request !== null) out.set(n, iface.ofport_request);
  }
  for (const n of names) {
    if (out.has(n)) continue;
    const hint = hints?.get(n);
    let k: number;
    if (hint !== undefined && !used.has(hint)) k = hint;
    else {
      k = FIRST_OFPORT;
      while (used.has(k) && k < LAST_OFPORT) k++;
    }
    used.add(k);
    out.set(n, k);
  }
  return out;
}
