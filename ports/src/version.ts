/**
 * The port API version: the version of the contract in this package (the port interfaces, the device config
 * vocabularies and their codecs). Adapters declare the semver range of port API versions they implement
 * (`portApi: '^1.0.0'`); the runtime refuses an adapter whose range does not include this version.
 *
 * Bump rules: a breaking change to any port interface or vocabulary bumps the major; an additive change (a new
 * optional field, a new optional capability) bumps the minor.
 *
 * History: 1.0 the first contract; 1.1 the fabric kind `floodVtep` and its capability (hybrid overlay); 1.2 VRF static routes
 * (`staticRoute`) and firewall legs (`legs`): peered traffic through the VFW (ADR 0013).
 */
export const PORT_API_VERSION = '1.2.0';
