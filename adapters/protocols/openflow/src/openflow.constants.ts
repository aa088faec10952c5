/**
 * OpenFlow 1.3 wire constants (OpenFlow Switch Specification 1.3.5, `openflow.h`) and the Nicira extension numbers
 * Open vSwitch uses (`include/openflow/nicira-ext.h`, `lib/meta-flow.xml`).
 *
 * @packageDocumentation
 */

/** The one protocol version this package speaks: OpenFlow 1.3. */
export const OFP13_VERSION = 0x04;

/** Length of the common OpenFlow header (version, type, length, xid). */
export const OFP_HEADER_LEN = 8;

/** Largest OpenFlow message (the length field is 16 bits). */
export const OFP_MAX_MESSAGE_LEN = 0xffff;

/** OpenFlow 1.3 message types (`enum ofp_type`). */
export const MessageType = {
  HELLO: 0,
  ERROR: 1,
  ECHO_REQUEST: 2,
  ECHO_REPLY: 3,
  EXPERIMENTER: 4,
  FEATURES_REQUEST: 5,
  FEATURES_REPLY: 6,
  GET_CONFIG_REQUEST: 7,
  GET_CONFIG_REPLY: 8,
  SET_CONFIG: 9,
  PACKET_IN: 10,
  FLOW_REMOVED: 11,
  PORT_STATUS: 12,
  PACKET_OUT: 13,
  FLOW_MOD: 14,
  GROUP_MOD: 15,
  PORT_MOD: 16,
  TABLE_MOD: 17,
  MULTIPART_REQUEST: 18,
  MULTIPART_REPLY: 19,
  BARRIER_REQUEST: 20,
  BARRIER_REPLY: 21,
  QUEUE_GET_CONFIG_REQUEST: 22,
  QUEUE_GET_CONFIG_REPLY: 23,
  ROLE_REQUEST: 24,
  ROLE_REPLY: 25,
  GET_ASYNC_REQUEST: 26,
  GET_ASYNC_REPLY: 27,
  SET_ASYNC: 28,
  METER_MOD: 29,
} as const;

/** Name of a message type, for logs (`TYPE_42` for unknown ones). */
export function messageTypeName(type: number): string {
  for (const [name, v] of Object.entries(MessageType)) if (v === type) return name;
  return `TYPE_${type}`;
}

/** Multipart (statistics) types used here (`enum ofp_multipart_type`). */
export const MultipartType = {
  DESC: 0,
  FLOW: 1,
  AGGREGATE: 2,
  TABLE: 3,
  PORT_STATS: 4,
  PORT_DESC: 13,
} as const;

/** `OFPMPF_REQ_MORE` / `OFPMPF_REPLY_MORE`: more parts follow. */
export const OFPMPF_MORE = 0x0001;

/** Hello element type carrying the version bitmap. */
export const OFPHET_VERSIONBITMAP = 1;

/** OXM match type (`OFPMT_OXM`). */
export const OFPMT_OXM = 1;

/** OXM class of the OpenFlow basic fields. */
export const OFPXMC_OPENFLOW_BASIC = 0x8000;
/** NXM class of the Nicira extension fields (registers, tunnel id, conntrack). */
export const OFPXMC_NXM_1 = 0x0001;
/** NXM class 0 (the OpenFlow 1.0 fields as NXM). */
export const OFPXMC_NXM_0 = 0x0000;
/** OXM experimenter class (followed by a 32-bit experimenter id). */
export const OFPXMC_EXPERIMENTER = 0xffff;

/** Vendor (experimenter) id of Nicira, used by Open vSwitch's extension actions and errors. */
export const NICIRA_VENDOR_ID = 0x00002320;

/** Nicira extension action subtypes this package knows (`enum nx_action_subtype`). */
export const NxActionSubtype = {
  RESUBMIT: 1,
  RESUBMIT_TABLE: 14,
  CT: 35,
  CT_CLEAR: 43,
  RESUBMIT_TABLE_CT: 44,
} as const;

/** `NX_CT_F_COMMIT` and `NX_CT_F_FORCE` (flags of the ct action). */
export const NX_CT_F_COMMIT = 1 << 0;
/** Force a new conntrack entry when the direction is reversed (needs commit). */
export const NX_CT_F_FORCE = 1 << 1;
/** `NX_CT_RECIRC_NONE`: the ct action does not recirculate. */
export const NX_CT_RECIRC_NONE = 0xff;

/** `OFPVID_PRESENT`: set in a vlan_vid value to mean "a VLAN tag is present". */
export const OFPVID_PRESENT = 0x1000;
/** `OFPVID_NONE`: a vlan_vid value meaning "no VLAN tag". */
export const OFPVID_NONE = 0x0000;

/** Conntrack state bits of the `ct_state` field (`lib/meta-flow.xml`, `CS_*`). */
export const CtState = {
  NEW: 0x01,
  ESTABLISHED: 0x02,
  RELATED: 0x04,
  REPLY_DIR: 0x08,
  INVALID: 0x10,
  TRACKED: 0x20,
  SRC_NAT: 0x40,
  DST_NAT: 0x80,
} as const;

/** Reserved port numbers of OpenFlow 1.3 (`enum ofp_port_no`), by name. */
export const ReservedPort = {
  IN_PORT: 0xfffffff8,
  TABLE: 0xfffffff9,
  NORMAL: 0xfffffffa,
  FLOOD: 0xfffffffb,
  ALL: 0xfffffffc,
  CONTROLLER: 0xfffffffd,
  LOCAL: 0xfffffffe,
  ANY: 0xffffffff,
} as const;

/** `OFPP_MAX`: the highest number of a physical or logical port. */
export const OFPP_MAX = 0xffffff00;

/** `OFPTT_ALL`: all tables (delete and stats requests). */
export const OFPTT_ALL = 0xff;
/** `OFPTT_MAX`: highest table id a flow can be in. */
export const OFPTT_MAX = 0xfe;
/** `OFPG_ANY`: any group (flow delete and stats filters). */
export const OFPG_ANY = 0xffffffff;
/** `OFP_NO_BUFFER`: the packet is not buffered on the switch. */
export const OFP_NO_BUFFER = 0xffffffff;
/** `OFPCML_NO_BUFFER`: send whole packets to the controller. */
export const OFPCML_NO_BUFFER = 0xffff;
/** Default flow priority (`OFP_DEFAULT_PRIORITY`). */
export const OFP_DEFAULT_PRIORITY = 0x8000;

/** Flow-mod commands (`enum ofp_flow_mod_command`). */
export const FlowModCommandCode = {
  add: 0,
  modify: 1,
  modifyStrict: 2,
  delete: 3,
  deleteStrict: 4,
} as const;

/** Flow-mod flags (`enum ofp_flow_mod_flags`), by the names this package uses. */
export const FlowModFlagBit = {
  sendFlowRem: 1 << 0,
  checkOverlap: 1 << 1,
  resetCounts: 1 << 2,
  noPktCounts: 1 << 3,
  noBytCounts: 1 << 4,
} as const;

/** Instruction types (`enum ofp_instruction_type`). */
export const InstructionType = {
  GOTO_TABLE: 1,
  WRITE_METADATA: 2,
  WRITE_ACTIONS: 3,
  APPLY_ACTIONS: 4,
  CLEAR_ACTIONS: 5,
  METER: 6,
  EXPERIMENTER: 0xffff,
} as const;

/** Action types (`enum ofp_action_type`) this package encodes. */
export const ActionType = {
  OUTPUT: 0,
  PUSH_VLAN: 17,
  POP_VLAN: 18,
  GROUP: 22,
  SET_FIELD: 25,
  EXPERIMENTER: 0xffff,
} as const;

/** Port config bits (`enum ofp_port_config`). */
export const PortConfigBit = {
  portDown: 1 << 0,
  noRecv: 1 << 2,
  noFwd: 1 << 5,
  noPacketIn: 1 << 6,
} as const;

/** Port state bits (`enum ofp_port_state`). */
export const PortStateBit = {
  linkDown: 1 << 0,
  blocked: 1 << 1,
  live: 1 << 2,
} as const;
