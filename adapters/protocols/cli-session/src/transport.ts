/**
 * The one seam between the session logic and where bytes come from. The SSH transport and the replay transport
 * implement it, so prompt detection, error mapping, answers, paging and the transcript are the same code for a
 * live device and for a recording.
 *
 * @packageDocumentation
 */

/** Where a transport delivers what it receives. */
export interface CliTransportSink {
  /** Text received from the device (already decoded; chunk boundaries are arbitrary). */
  data(text: string): void;
  /** The connection ended without `close()` being called (the device hung up, the network dropped). */
  closed(cause?: unknown): void;
}

/**
 * A bidirectional text stream to one interactive CLI.
 *
 * Contract: `open` connects (authenticating and verifying the peer as the transport requires) and starts
 * delivering to `sink`; it rejects with a netloom error (`DeviceConnectionError`, `DeviceAuthError`,
 * `DeviceTimeoutError`). `write` sends text as is, synchronously, or throws (never half-writes a rejected text).
 * `close` ends the connection, never rejects, and leaves no timers. After `close`, `open` may be called again
 * (reconnect); a sink from an earlier `open` must no longer be called.
 */
export interface CliTransport {
  /** Names the peer in messages and transcripts (`10.0.0.1:22`). */
  readonly target: string;
  open(sink: CliTransportSink): Promise<void>;
  write(text: string): void;
  close(): Promise<void>;
}
