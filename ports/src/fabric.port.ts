/** STUB — to be replaced by the full Fabric port vocabulary. */
import type { DeviceConfig, DeviceDriver } from './device.port';
export type FabricConfig = DeviceConfig;
export type FabricDriver = DeviceDriver<FabricConfig>;
