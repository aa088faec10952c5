/**
 * The lab (`netloom lab up|test|down`): real Open vSwitch nodes, the hardware-VTEP emulator as the leaf, the VPC
 * router (linux-router), the VFW (nftables), the F5 BIG-IP simulator as the load balancer, pods as network namespaces plumbed by
 * netloom-cni, the controller against the test Kubernetes API server. docs/lab.md.
 * @packageDocumentation
 */
export { labUp, labDown, addPod, deletePod, startResponder, addNode, removeNode, labControl, labUnavailableReason, rootSnapshot, cniExecutable, type LabOptions, type LabPrinter, type LabCheckLine, type PodSpec, type AddPodHooks } from './lab';
export { tcpAnswers, vipAnswers, webService, webEndpointSlice, type WebEndpoint } from './lab.lb';
export { labTest, formatCheck, pings, LAB_CHECKS } from './lab.checks';
export { LabState, DEFAULT_LAB_DIR, stateFile, type LabItem, type LabNode, type LabPod, type LabStateData } from './lab.state';
export { LabControl, type DaemonStatus } from './lab.control';
export * from './lab.topology';
