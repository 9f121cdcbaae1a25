/** Test helpers: a small network and a recording connection owner. */
import { type CloseReason, type Connection, Network } from '../../src/net/index.js';
import type { LatencySpec } from '../../src/net/index.js';
import { Simulator } from '../../src/sim/index.js';

export const enc = (s: string) => new TextEncoder().encode(s);
export const dec = (b: Uint8Array) => new TextDecoder().decode(b);

export function world(latency: LatencySpec = { minMs: 10, maxMs: 10 }, seed: number | string = 1) {
  const sim = new Simulator({ seed, keepTrace: true });
  const net = new Network(sim, { latency });
  const a = net.addHost('a.test', '10.0.0.1');
  const b = net.addHost('b.test', '10.0.0.2');
  return { sim, net, a, b };
}

/** Records what a connection endpoint receives, with the virtual time. */
export class Recorder {
  log: string[] = [];
  data = '';
  closed: CloseReason | null = null;
  ended = false;
  conn: Connection | null = null;
  constructor(private readonly sim: Simulator) {}
  attach(conn: Connection): this {
    this.conn = conn;
    conn.setHandlers({
      onData: (bytes) => {
        this.data += dec(bytes);
        this.log.push(`${this.sim.nowMs} data ${dec(bytes)}`);
      },
      onEnd: () => {
        this.ended = true;
        this.log.push(`${this.sim.nowMs} end`);
      },
      onClose: (reason) => {
        this.closed = reason;
        this.log.push(`${this.sim.nowMs} close ${reason}`);
      },
    });
    return this;
  }
}
