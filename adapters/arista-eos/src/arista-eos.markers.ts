/**
 * How the adapter marks what netloom owns on an EOS switch. An object without its marker is foreign: never
 * observed, changed or deleted.
 *
 * | fabric object | marker |
 * |---|---|
 * | vrf `X` | `vrf instance X` with `description netloom:vrf:X` |
 * | segment | a VLAN named `netloom.<segment name>` (EOS VLANs have a name, no description) mapped to the L2 VNI on Vxlan1; its SVI carries `description netloom:segment:<l2Vni>` |
 * | binding | owned through its segment: a translation to, or an allowed VLAN of, an owned segment's VLAN on a trunk port |
 *
 * @packageDocumentation
 */

/** The prefix of the name of every VLAN netloom owns. */
export const VLAN_NAME_PREFIX = 'netloom.';

/** The longest VLAN name EOS accepts (UNVERIFIED: the commonly quoted limit). */
export const EOS_VLAN_NAME_MAX = 32;

/** The longest segment name this adapter can store (the VLAN name minus the prefix). */
export const SEGMENT_NAME_MAX = EOS_VLAN_NAME_MAX - VLAN_NAME_PREFIX.length;

/** The description that marks a VRF instance as netloom's. */
export const vrfMarker = (name: string): string => `netloom:vrf:${name}`;

/** The description of the SVI (`interface Vlan<n>`) of a routed segment. */
export const segmentSviMarker = (l2Vni: number): string => `netloom:segment:${l2Vni}`;

/** The VLAN name of a segment. */
export const segmentVlanName = (name: string): string => `${VLAN_NAME_PREFIX}${name}`;

/** The segment name in an owned VLAN name, or undefined for a foreign VLAN. */
export function segmentNameOf(vlanName: string | undefined): string | undefined {
  return vlanName !== undefined && vlanName.startsWith(VLAN_NAME_PREFIX) && vlanName.length > VLAN_NAME_PREFIX.length ? vlanName.slice(VLAN_NAME_PREFIX.length) : undefined;
}
