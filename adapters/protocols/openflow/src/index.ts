/**
 * `@netloom/openflow` — the controller side of OpenFlow 1.3 for netloom adapters (Open vSwitch, H3C S1020V).
 *
 * - {@link OpenFlowController}: listens for switches (`tcp:` controllers) or dials switches that listen (`ptcp:`).
 * - {@link SwitchConnection}: one switch: flow_mod batches confirmed by a barrier, flow stats read back into the
 *   same typed {@link Match} / {@link Instruction} model, echo keepalive, packet-in / port-status events.
 * - The model: {@link Match} (OXM basic fields plus the Nicira registers and conntrack fields), {@link Action}
 *   (including `ct(...)`, `ct_clear`, `resubmit(,T)`), {@link Instruction}, {@link FlowMod}, {@link FlowStats}.
 *
 * @packageDocumentation
 */
export { OpenFlowController } from './openflow.controller';
export type { OpenFlowControllerOptions, ListenOptions, ConnectOptions, HandshakeFailure, OpenFlowControllerEvents, WaitForSwitchOptions } from './openflow.controller';
export { SwitchConnection } from './switch.connection';
export type { DisconnectReason, DisconnectInfo, SwitchConnectionEvents, SwitchConnectionOptions, FlowModBatchResult } from './switch.connection';
export { TypedEmitter } from './typed-emitter';
export type { EventMap } from './typed-emitter';

export { MATCH_FIELDS, MatchCodec, RawOxmCodec, MacCodec, Ipv4Codec, Ipv6Codec, fieldValueCodec, canonicalMatch } from './openflow.match';
export type { Match, MatchFieldName, MatchFieldSpec, FieldKind, FieldKindValue, FieldValue, RawOxm } from './openflow.match';
export { ActionCodec, InstructionCodec, FieldSliceCodec, canonicalInstructions, sortInstructions } from './openflow.actions';
export type {
  Action,
  OutputAction,
  GroupAction,
  PushVlanAction,
  PopVlanAction,
  SetFieldAction,
  CtAction,
  CtClearAction,
  ResubmitAction,
  RawAction,
  FieldSlice,
  Instruction,
  ApplyActionsInstruction,
  WriteActionsInstruction,
  ClearActionsInstruction,
  GotoTableInstruction,
  WriteMetadataInstruction,
  MeterInstruction,
  RawInstruction,
} from './openflow.actions';
export {
  FlowModCodec,
  FlowStatsCodec,
  FlowStatsRequestCodec,
  PortDescCodec,
  SwitchFeaturesCodec,
  PacketInEventCodec,
  PortStatusEventCodec,
  FlowRemovedEventCodec,
  DatapathIdCodec,
  encodeFlowMod,
  encodeHello,
  helloVersions,
} from './openflow.messages';
export type {
  FlowMod,
  FlowModCommand,
  FlowModFlag,
  FlowStats,
  FlowStatsRequest,
  PortDesc,
  PortConfigFlag,
  PortStateFlag,
  SwitchFeatures,
  PacketInEvent,
  PortStatusEvent,
  PortStatusReason,
  FlowRemovedEvent,
} from './openflow.messages';
export { ErrorType, OFPET_EXPERIMENTER, ERROR_DATA_HEX_BYTES, openFlowErrorNames, decodeErrorBody } from './openflow.errors';
export type { OpenFlowErrorInfo, FlowModFailure } from './openflow.errors';
export { FrameParser, encodeFrame, decodeHeader } from './openflow.framing';
export type { OpenFlowHeader, OpenFlowFrame } from './openflow.framing';
export { PortRefCodec, U64Codec, HexCodec, TableIdCodec, maskedCodec, isMaskedValue, portToWire, portFromWire } from './openflow.types';
export type { PortRef, ReservedPortName, Masked } from './openflow.types';
export {
  OFP13_VERSION,
  OFP_HEADER_LEN,
  MessageType,
  messageTypeName,
  MultipartType,
  NICIRA_VENDOR_ID,
  OFPVID_PRESENT,
  OFPVID_NONE,
  CtState,
  ReservedPort,
  OFPP_MAX,
  OFPTT_ALL,
  OFP_DEFAULT_PRIORITY,
} from './openflow.constants';
export { canonicalMac, canonicalIpv6, isMac, isIpv4, isIpv6 } from './openflow.addresses';
