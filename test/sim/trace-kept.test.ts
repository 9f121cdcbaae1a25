/**
 * A kept trace (`keepTrace`) builds each event object from the fields instead of JSON.parse of the
 * canonical line (src/sim/trace.ts keptEvent, parsedPrepared). The events must be what the parse
 * gave — same keys in the same order, -0 read back as 0, NaN and ±Infinity as null, strings as
 * they are — for any field values, and the digest must stay that of the canonical lines.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Simulator } from '../../src/sim/index.js';
import type { TraceValue } from '../../src/sim/trace.js';

const value: fc.Arbitrary<TraceValue> = fc.oneof(
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary' }),
  fc.string({ unit: fc.constantFrom('"', '\\', '\n', '\u0000', '\u001f', '\u007f', '\u0080', '\ud800', 'a', ' ') }),
  fc.constantFrom(-0, 0, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e21, 5e-7),
  fc.double(),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
);
const key = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('0', '12', '__proto__', 'constructor', 'a"b', 'é')).filter((k) => k !== 't' && k !== 'kind' && k !== 'bytes' && k !== 'text');
const fields = fc.array(fc.tuple(key, value), { maxLength: 6 }).map((pairs) => {
  const out: Record<string, TraceValue> = {};
  for (const [k, v] of pairs) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  return out;
});
const event = fc.record({ t: fc.constantFrom(0, -0, 7, 1.5, 86_400_000), kind: fc.string({ maxLength: 8 }), fields, payload: fc.option(fc.uint8Array({ maxLength: 20 })) });

/** The canonical line as docs/architecture.md rule 4 and src/sim/trace.ts define it, by JSON.stringify. */
function canonical(t: number, kind: string, f: Record<string, TraceValue>, bytes: number | null): string {
  let line = `{"t":${JSON.stringify(t)},"kind":${JSON.stringify(kind)}`;
  for (const k in f) line += `,${JSON.stringify(k)}:${JSON.stringify(f[k])}`;
  return `${line}${bytes === null ? '' : `,"bytes":${bytes}`}}`;
}

describe('kept trace events', () => {
  it('equal JSON.parse of the canonical line, keys in order, for any field values', () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 6 }), fc.boolean(), (events, prepare) => {
        const clock = { nowMs: 0 };
        const sim = new Simulator({ seed: 1, keepTrace: true });
        // The trace reads the time from its clock; a stand-in clock lets the test choose it.
        Object.assign(sim.trace, { clock });
        const reference = createHash('sha256');
        const expected: unknown[] = [];
        for (const e of events) {
          clock.nowMs = e.t;
          const line = canonical(e.t, e.kind, e.fields, e.payload === null ? null : e.payload.length);
          reference.update(`${line}\n`, 'utf8');
          const parsed = JSON.parse(line) as Record<string, unknown>;
          if (e.payload === null) sim.trace.record(e.kind, e.fields);
          else {
            reference.update(e.payload);
            parsed.text = Buffer.from(e.payload).toString('latin1');
            if (prepare) sim.trace.recordPayloadPrepared(sim.trace.preparePayload(e.kind, e.fields), e.payload);
            else sim.trace.recordPayload(e.kind, e.fields, e.payload);
          }
          expected.push(parsed);
        }
        expect(sim.trace.events).toStrictEqual(expected);
        expect(sim.trace.events.map((x) => Object.keys(x))).toEqual(expected.map((x) => Object.keys(x as object)));
        expect(sim.trace.events.map((x) => Object.getPrototypeOf(x))).toEqual(expected.map((x) => Object.getPrototypeOf(x)));
        expect(sim.trace.digest()).toBe(`sha256:${reference.digest('hex')}`);
      }),
      { numRuns: 1500 },
    );
  });

  it('read -0 back as 0 and non-finite numbers as null', () => {
    const sim = new Simulator({ seed: 1, keepTrace: true });
    sim.trace.record('e', { z: -0, n: Number.NaN, i: Number.NEGATIVE_INFINITY });
    expect(Object.is(sim.trace.events[0]?.z, 0)).toBe(true);
    expect(sim.trace.events[0]).toStrictEqual({ t: 0, kind: 'e', z: 0, n: null, i: null });
  });
});
