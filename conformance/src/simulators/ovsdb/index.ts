/**
 * The OVSDB simulator: an in-memory OVSDB server (RFC 7047, JSON-RPC 1.0 over TCP and unix sockets) that behaves
 * like ovsdb-server 3.1 — transactions with ovsdb-server's checks and error texts, garbage collection, weak
 * references, indexes, monitors (`update`/`update2`/`update3`), locks, blocking `wait`s — with the `Open_vSwitch`
 * and `hardware_vtep` schemas of Open vSwitch 3.1 shipped in `conformance/schemas/`, and a test API (dump, direct
 * transactions, statistics, faults).
 *
 * Every export carries an `Ovsdb`/`ovsdb` prefix (or names a vendored schema) so it can sit beside the other
 * simulators in one namespace.
 *
 * @example
 * import { OvsdbSimulator } from '@netloom/conformance/simulators';
 * const sim = new OvsdbSimulator({ databases: ['Open_vSwitch', 'hardware_vtep'] });
 * const { unixRemote, tcpRemote } = await sim.start();
 * // ... OvsdbClient.connect({ remote: unixRemote! }) or ovs-vsctl --db=<tcpRemote> ...
 * await sim.stop();
 *
 * @packageDocumentation
 */
export {
  OvsdbSimulator,
  type OvsdbSimulatorOptions,
  type OvsdbSimulatorDatabase,
  type OvsdbSimulatorEndpoints,
  type OvsdbSimulatorStats,
  type OvsdbDumpRow,
  type OvsdbCommitEvent,
  type OvsdbFailOptions,
  type OvsdbDropOptions,
} from './ovsdb.server';
export {
  parseOvsdbSchema,
  loadOvsdbSchema,
  ovsdbSchemaToJson,
  ovsdbTypeToEnglish,
  ovsdbColumn,
  OVSDB_SCHEMA_DIR,
  VSWITCH_OVSSCHEMA,
  VTEP_OVSSCHEMA,
  OVSDB_SERVER_SCHEMA_JSON,
  type OvsdbAtom,
  type OvsdbAtomicType,
  type OvsdbBaseType,
  type OvsdbColumnType,
  type OvsdbColumnSchema,
  type OvsdbTableSchema,
  type OvsdbDatabaseSchema,
} from './ovsdb.schema';
export type { OvsdbErrorJson } from './ovsdb.errors';
