/** STUB — to be replaced by the full VSwitch port vocabulary. */
import type { DeviceConfig, DeviceDriver } from './device.port';
export type VSwitchConfig = DeviceConfig;
export type VSwitchDriver = DeviceDriver<VSwitchConfig>;
