/**
 * The trace hashes its lines field by field without building them (src/sim/canonical-hasher.ts):
 * ASCII strings and safe integers copied byte by byte, the rest as JSON.stringify's UTF-8. The
 * digest's format is the canonical text (src/sim/trace.ts), so over random event sequences — not
 * kept, and kept — the digest must be SHA-256 of the lines built the general way, by JSON.stringify.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CanonicalHasher, type TraceValue } from '../../src/sim/canonical-hasher.js';
import { Simulator } from '../../src/sim/index.js';

const value: fc.Arbitrary<TraceValue> = fc.oneof(
  fc.string({ unit: 'grapheme-ascii' }),
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary' }),
  fc.string({ unit: fc.constantFrom('"', '\\', '\n', '\u0000', '\u001f', '\u0020', '\u007f', '\u0080', '\ud800', 'a', '~', '/') }),
  fc.constantFrom('a'.repeat(4095), 'b'.repeat(4096), 'c'.repeat(4097), `${'d'.repeat(5000)}"`, 'é'.repeat(30_000)),
  fc.constantFrom(-0, 0, -1, 9, 10, 99, 100, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 2 ** 53, Number.NaN, Number.POSITIVE_INFINITY, 1e21, 5e-7, 1.5),
  fc.double(),
  fc.integer(),
  fc.maxSafeInteger(),
  fc.boolean(),
  fc.constant(null),
);
const key = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('conn', 'é', 'a"b', '__proto__')).filter((k) => !['t', 'kind', 'bytes', 'text'].includes(k));
const fields = fc.array(fc.tuple(key, value), { maxLength: 5 }).map((pairs) => {
  const out: Record<string, TraceValue> = {};
  for (const [k, v] of pairs) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  return out;
});
const event = fc.record({
  t: fc.oneof(fc.constantFrom(0, -0, 1.5, Number.NaN, 2 ** 60), fc.nat()),
  kind: fc.oneof(fc.constantFrom('net.send', 'queue.add'), fc.string({ maxLength: 8 })),
  fields,
  payload: fc.option(fc.oneof(fc.uint8Array({ maxLength: 40 }), fc.constantFrom(30_000, 70_000).map((n) => new Uint8Array(n).fill(7)))),
  prepare: fc.boolean(),
});

/** The canonical line built the general way: the time as String gives it, the rest by JSON.stringify. */
function canonical(t: number, kind: string, f: Record<string, TraceValue>, bytes: number | null): string {
  let line = `{"t":${t},"kind":${JSON.stringify(kind)}`;
  for (const k in f) line += `,${JSON.stringify(k)}:${JSON.stringify(f[k])}`;
  return `${line}${bytes === null ? '' : `,"bytes":${bytes}`}}\n`;
}

describe('trace digest built field by field', () => {
  it('equals SHA-256 of the JSON.stringify lines for random event sequences, kept or not', () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 40 }), fc.boolean(), (events, keep) => {
        const clock = { nowMs: 0 };
        const sim = new Simulator({ seed: 1, keepTrace: keep });
        Object.assign(sim.trace, { clock });
        const reference = createHash('sha256');
        for (const e of events) {
          // A kept event with a NaN time cannot be parsed back (as before); only the unkept trace takes it.
          const t = keep && Number.isNaN(e.t) ? 0 : e.t;
          clock.nowMs = t;
          reference.update(canonical(t, e.kind, e.fields, e.payload === null ? null : e.payload.length), 'utf8');
          if (e.payload === null) sim.trace.record(e.kind, e.fields);
          else {
            reference.update(e.payload);
            if (e.prepare) sim.trace.recordPayloadPrepared(sim.trace.preparePayload(e.kind, e.fields), e.payload);
            else sim.trace.recordPayload(e.kind, e.fields, e.payload);
          }
        }
        expect(sim.trace.digest()).toBe(`sha256:${reference.digest('hex')}`);
        expect(sim.trace.count).toBe(events.length);
      }),
      { numRuns: 400 },
    );
  });

  it('writes each value as the UTF-8 bytes of JSON.stringify, across the buffer boundary', () => {
    fc.assert(
      fc.property(fc.array(value, { maxLength: 30 }), fc.nat({ max: 70_000 }), (values, pad) => {
        const hasher = new CanonicalHasher();
        const reference = createHash('sha256');
        // Padding moves where in the 64 KiB buffer each value lands, so some straddle a flush.
        hasher.bytes(new Uint8Array(pad));
        reference.update(new Uint8Array(pad));
        for (const v of values) {
          hasher.value(v);
          reference.update(JSON.stringify(v), 'utf8');
        }
        expect(hasher.digest()).toBe(`sha256:${reference.digest('hex')}`);
      }),
      { numRuns: 400 },
    );
  });

  it('still throws on a reserved field name', () => {
    const sim = new Simulator({ seed: 1 });
    expect(() => sim.trace.record('e', { t: 1 })).toThrow(/reserved/);
    expect(() => sim.trace.record('e', { a: 1, kind: 'x' })).toThrow(/reserved/);
    expect(() => sim.trace.preparePayload('e', { bytes: 1 })).toThrow(/reserved/);
  });
});
