/**
 * The discovery port: who a device is and which neighbours it sees over LLDP, so netloom learns which leaf port each
 * node is plugged into instead of asking people to type it. Adapters: snmp (net-snmp: v2c and v3).
 *
 * Replies are device data, not commands: the codecs here check shape (and that an OID is an OID), not SAFE_NAME.
 * Adapters validate what they read with them and throw `DeviceProtocolError` when a reply does not fit.
 *
 * @packageDocumentation
 */
import * as t from 'io-ts';
import { describeValue, refined, struct } from './codec';
import type { PortCapabilities } from './capabilities';

/** Brand of {@link Oid}. */
export interface OidBrand {
  readonly Oid: unique symbol;
}
/** A numeric SNMP object identifier in dotted form, without a leading dot (`1.3.6.1.4.1.2011.2.239`). */
export type Oid = t.Branded<string, OidBrand>;
/** io-ts codec for {@link Oid}; a leading dot is accepted and removed. @example OidCodec.decode('.1.3.6.1.4.1.30065') // '1.3.6.1.4.1.30065' */
export const OidCodec = refined<string, string, OidBrand>(
  'Oid',
  t.string,
  (s) => (/^\.?[0-9]+(\.[0-9]+)+$/.test(s) ? undefined : `${describeValue(s)} is not a numeric OID`),
  (s) => (s.startsWith('.') ? s.slice(1) : s),
);

/**
 * A device's identity (SNMPv2-MIB system group): `sysDescr` (free text), `sysObjectId` (the vendor's model OID,
 * matched against adapters' `models.sysObjectIdPrefixes`), `sysName` (usually the host name).
 * @example { sysDescr: 'Huawei Versatile Routing Platform Software ... CE6881-48S6CQ', sysObjectId: '1.3.6.1.4.1.2011.2.239.40', sysName: 'leaf1' }
 */
export const DeviceIdentityCodec = struct('DeviceIdentity', { sysDescr: t.string, sysObjectId: OidCodec, sysName: t.string }, {}, { unknownFields: 'strip' });
/** A device's identity. */
export type DeviceIdentity = t.TypeOf<typeof DeviceIdentityCodec>;

/**
 * One LLDP neighbour (LLDP-MIB `lldpRemTable` joined with `lldpLocPortTable`): the local port that sees it, the
 * remote system name and port id, the chassis id when the device reports it.
 * @example { localPort: 'Ethernet1/1', remoteSysName: 'node-1', remotePortId: 'eth1', remoteChassisId: '52:54:00:12:34:56' }
 */
export const LldpNeighborCodec = struct(
  'LldpNeighbor',
  { localPort: t.string, remoteSysName: t.string, remotePortId: t.string },
  { remoteChassisId: t.string },
  { unknownFields: 'strip' },
);
/** One LLDP neighbour. */
export type LldpNeighbor = t.TypeOf<typeof LldpNeighborCodec>;

/** A list of LLDP neighbours. */
export const LldpNeighborsCodec = t.readonlyArray(LldpNeighborCodec, 'LldpNeighbors');

/**
 * The discovery port, one device per instance (built by `ports.discovery(opts)` for one target).
 *
 * Errors: `DeviceConnectionError`, `DeviceAuthError` (SNMPv3 authentication), `DeviceTimeoutError` (no answer; SNMP
 * over UDP has no other way to say so), `DeviceProtocolError` (a reply that does not fit the codecs),
 * `NotSupportedError` (an undeclared capability).
 */
export interface DiscoveryPort {
  readonly capabilities: PortCapabilities<'discovery'>;
  /**
   * Reads the device's identity. Read-only, idempotent.
   * @example await snmp.identify() // { sysDescr: 'Arista Networks EOS version 4.30', sysObjectId: '1.3.6.1.4.1.30065.1.3011', sysName: 'leaf2' }
   * @throws DeviceTimeoutError, DeviceAuthError, DeviceProtocolError, NotSupportedError (capability `identity`)
   */
  identify(): Promise<DeviceIdentity>;
  /**
   * Reads the LLDP neighbours, ordered by local port then remote system name. Read-only, idempotent. A device with
   * LLDP off answers an empty list.
   * @example await snmp.lldpNeighbors() // [{ localPort: 'Ethernet1/1', remoteSysName: 'node-1', remotePortId: 'eth1' }]
   * @throws DeviceTimeoutError, DeviceAuthError, DeviceProtocolError, NotSupportedError (capability `lldp`)
   */
  lldpNeighbors(): Promise<LldpNeighbor[]>;
  /** Releases the session (socket). Idempotent; later calls fail with DeviceConnectionError. */
  close(): Promise<void>;
}
