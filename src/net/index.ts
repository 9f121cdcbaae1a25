/**
 * The virtual network (docs/architecture.md "src/net"): hosts, links with latency, TCP-like connections,
 * datagrams and faults. See network.ts for the theory of operation.
 */
export {
  type CloseReason,
  type ConnectCallbacks,
  type ConnectFailure,
  Connection,
  type ConnectionHandlers,
  type ConnectionSide,
  type EndpointState,
  inboundSegmentsMax,
} from './connection.js';
export {
  type AcceptHandler,
  type ConnectOptions,
  type DatagramBinding,
  type DatagramHandler,
  ephemeralPortMax,
  ephemeralPortMin,
  Host,
  type Listener,
} from './host.js';
export { describeLatency, drawLatencyMs, type LatencySpec, latencyMsMax, validateLatency } from './latency.js';
export { type FaultHandle, hostsMax, Network, type NetworkOptions, type PartitionHandle } from './network.js';
