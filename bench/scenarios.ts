/**
 * The scenario objects the benchmarks run (plain objects of the YAML's shape, docs/reference.md §3–§7),
 * built here so every benchmark and the digest check use exactly the same worlds.
 *
 * - `bulkScenario(n)`: one sender (alice@sender.net) submits n messages of 1 kB over 587 with
 *   STARTTLS + AUTH to smtp.sender.net (MSA + MTA), which relays each over port 25 to the MX of
 *   example.org, which delivers into bob's Maildir. 1 ms between submissions, 1 ms one-way latency,
 *   so many sessions overlap, as in a bulk run.
 * - `outageScenario(n)`: the same path, but the MX of example.org is down for the whole 7 days:
 *   the n messages sit in smtp.sender.net's queue and every retry attempt of the default schedule
 *   is simulated for the 7 days (the queue lifetime is 8 days, so nothing bounces and the run lasts
 *   exactly until `until`).
 */

export interface BulkOptions {
  /** Messages submitted. */
  count: number;
  /** Body size of each message, bytes. */
  sizeBytes?: number;
  /** Virtual ms between two submissions. */
  everyMs?: number;
  seed?: number;
}

function baseWorld(seed: number) {
  return {
    seed,
    network: { latency: '1ms' },
    dns: {
      'sender.net': { mx: ['10 smtp.sender.net'] },
      'example.org': { mx: ['10 mx.example.org'] },
      'smtp.sender.net': { a: '10.0.0.2' },
      'mx.example.org': { a: '10.0.0.10' },
    },
    hosts: {
      'smtp.sender.net': { address: '10.0.0.2', roles: ['msa', 'mta', 'mda'], domains: ['sender.net'], users: { alice: 'secret' } },
      'mx.example.org': { address: '10.0.0.10', roles: ['mta', 'mda'], domains: ['example.org'], users: { bob: 'hunter2' } },
    },
  };
}

/** docs/reference.md caps `count` per send item (schema `sendCountMax`); larger runs use several items back to back. */
const sendCountPerItemMax = 100_000;

export function bulkScenario(options: BulkOptions): Record<string, unknown> {
  const { count, sizeBytes = 1000, everyMs = 1, seed = 1 } = options;
  const traffic: unknown[] = [];
  for (let first = 0; first < count; first += sendCountPerItemMax) {
    const itemCount = Math.min(sendCountPerItemMax, count - first);
    const atMs = 1000 + first * everyMs;
    traffic.push({ at: `${atMs}ms`, send: { from: 'alice@sender.net', to: 'bob@example.org', size: `${sizeBytes}B`, count: itemCount, every: `${everyMs}ms` } });
  }
  return { name: `bulk ${count} × ${sizeBytes} B`, ...baseWorld(seed), until: '30d', traffic };
}

export function outageScenario(count: number, seed = 1): Record<string, unknown> {
  const world = baseWorld(seed);
  // Lifetime past the end of the run: every retry of the 7 days is simulated, nothing bounces early.
  const sender = { ...world.hosts['smtp.sender.net'], queue: { lifetime: '8d' } };
  return {
    name: `7 days with the MX down, ${count} queued`,
    ...world,
    hosts: { ...world.hosts, 'smtp.sender.net': sender },
    until: '7d',
    faults: [{ at: '0s', down: 'mx.example.org' }],
    traffic: [{ at: '1s', send: { from: 'alice@sender.net', to: 'bob@example.org', size: '1000B', count, every: '10ms' } }],
  };
}
