/**
 * `@netloom/ovsdb` — an OVSDB management protocol client (RFC 7047: JSON-RPC 1.0 over unix sockets, TCP or TLS),
 * generic over databases and tables, for the OVS vswitch, H3C S1020V and hardware-VTEP adapters.
 *
 * Start with {@link OvsdbClient.connect}, build operations with {@link op}, replicate tables with
 * {@link OvsdbClient.monitor}.
 *
 * @packageDocumentation
 */
export { OvsdbClient, type OvsdbClientOptions, type ConnectionState, type StateEvent, type LockEvent, type CallOptions, type TransactOptions, type MonitorOptions } from './client';
export { type ReconnectOptions, DEFAULT_RECONNECT, backoffDelay } from './backoff';
export { parseRemote, formatRemote, type OvsdbRemote, OVSDB_DEFAULT_PORT } from './remote';
export { type OvsdbTlsOptions, type TransportOptions, openTransport } from './transport';
export { JsonFramer, type JsonFramerOptions } from './json-framer';
export { JsonRpcConnection, OvsdbRpcError, type JsonRpcConnectionOptions, type RequestOptions } from './json-rpc';
export {
  parseSchema,
  DatabaseSchemaCodec,
  isMapType,
  isOptionalType,
  isScalarType,
  isSetType,
  type AtomicType,
  type BaseType,
  type ColumnType,
  type ColumnSchema,
  type TableSchema,
  type DatabaseSchema,
  type EnumAtom,
} from './schema';
export {
  type Uuid,
  type Atom,
  type OvsdbValue,
  type OvsdbValueInput,
  type Row,
  type RowInput,
  type WireValue,
  type EncodeMode,
  type EncodeRowOptions,
  NamedUuid,
  namedUuid,
  isUuid,
  asUuid,
  encodeAtom,
  encodeDatum,
  encodeRow,
  decodeAtom,
  decodeDatum,
  decodeRow,
  compareAtoms,
  valuesEqual,
  rowsEqual,
} from './datum';
export {
  op,
  encodeOperations,
  encodeCondition,
  decodeResult,
  isOperationError,
  type Operation,
  type InsertOperation,
  type SelectOperation,
  type UpdateOperation,
  type MutateOperation,
  type DeleteOperation,
  type WaitOperation,
  type CommitOperation,
  type AbortOperation,
  type CommentOperation,
  type AssertOperation,
  type Condition,
  type ConditionFunction,
  type Mutation,
  type Mutator,
  type InsertResult,
  type SelectResult,
  type CountResult,
  type EmptyResult,
  type ResultOf,
  type ResultsOf,
  type OperationError,
} from './operations';
export { transactionError, isProtocolErrorKind } from './transaction-errors';
export {
  Monitor,
  applyDiff,
  defaultValue,
  type MonitorRequest,
  type MonitorTableRequest,
  type MonitorSelect,
  type MonitorMethod,
  type StoredRow,
  type RowUpdate,
  type TableChange,
  type ChangeCause,
  type ChangeListener,
} from './monitor';
