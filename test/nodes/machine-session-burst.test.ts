/**
 * MachineSession writes what a machine produced in one step as one segment (issue 21: one segment per
 * write burst, RFC 2920's pipelined replies together). The property compares it with the general
 * path — one write per output chunk — on random bursts: the peer sees the same bytes in the same
 * order, each burst arrives as exactly one write equal to its chunks joined, and nothing is written
 * for a step that produced nothing.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ConnectionHandlers, EndpointState } from '../../src/net/connection.js';
import { concatBytes } from '../../src/protocols/bytes.js';
import { NOTHING, type SansIoMachine } from '../../src/protocols/machine.js';
import { MachineSession, nothingToStart } from '../../src/nodes/machine-session.js';
import type { StreamEndpoint } from '../../src/nodes/stream-endpoint.js';
import { Simulator } from '../../src/sim/index.js';

/** A machine that answers each received byte-array with the next scripted burst of chunks. */
class ScriptedMachine implements SansIoMachine<never> {
  closed = false;
  private pending: Uint8Array[] = [];
  constructor(private readonly bursts: Uint8Array[][]) {}
  receive(): void {
    this.pending = this.bursts.shift() ?? [];
  }
  receiveEof(): void {}
  takeOutput(): readonly Uint8Array[] {
    const out = this.pending;
    this.pending = [];
    return out.length === 0 ? NOTHING : out;
  }
  takeEvents(): readonly never[] {
    return NOTHING;
  }
  nextTimeoutMs(): number | null {
    return null;
  }
  onTimeout(): void {}
}

/** An endpoint that records every write. */
class RecordingEndpoint implements StreamEndpoint {
  readonly remoteAddress = '192.0.2.9';
  readonly state: EndpointState = 'open';
  readonly writable = true;
  readonly secure = false;
  handlers: ConnectionHandlers | null = null;
  writes: Uint8Array[] = [];
  setHandlers(handlers: ConnectionHandlers): void {
    this.handlers = handlers;
  }
  write(bytes: Uint8Array): void {
    this.writes.push(new Uint8Array(bytes)); // a copy: the pool may reuse the segment's memory later
  }
  end(): void {}
  reset(): void {}
  startTls(): void {}
}

const chunk = fc.uint8Array({ minLength: 1, maxLength: 40 });
const burst = fc.array(chunk, { minLength: 0, maxLength: 6 });

describe('MachineSession: one write per burst', () => {
  it('writes each burst as one segment with the bytes of one write per chunk, in order', () => {
    fc.assert(
      fc.property(fc.array(burst, { minLength: 1, maxLength: 20 }), (bursts) => {
        const sim = new Simulator({ seed: 1 });
        const conn = new RecordingEndpoint();
        const machine = new ScriptedMachine(bursts.map((b) => [...b]));
        const session = new MachineSession(sim, conn, machine, { onEvent() {} }, () => true);
        session.start(nothingToStart);
        for (let i = 0; i < bursts.length; i++) conn.handlers!.onData(new Uint8Array([i]));
        // The general path: every chunk its own write.
        const general = bursts.flat();
        expect(Buffer.from(concatBytes(conn.writes.length === 0 ? [new Uint8Array(0)] : conn.writes))).toEqual(
          Buffer.from(concatBytes(general.length === 0 ? [new Uint8Array(0)] : general)),
        );
        // The fast path: one write per burst that had output, equal to its chunks joined.
        const nonEmpty = bursts.filter((b) => b.length > 0);
        expect(conn.writes.length).toBe(nonEmpty.length);
        for (let i = 0; i < nonEmpty.length; i++) expect(Buffer.from(conn.writes[i]!)).toEqual(Buffer.from(concatBytes(nonEmpty[i]!)));
      }),
    );
  });
});
