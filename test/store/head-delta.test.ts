/**
 * Mail-file heads kept as deltas against recent heads (src/store/head-delta.ts; issue 21). The
 * property compares the coder with the general model, the head kept whole: on random sequences of
 * heads — mutations of a few templates (bytes changed, inserted, deleted; lines added or dropped; any
 * byte value, LF runs) and unrelated ones — every head decodes back to exactly its bytes, whichever
 * base it was coded against, and a delta is never longer than the head would be.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeHead, HeadCoder } from '../../src/store/head-delta.js';

const enc = new TextEncoder();
const template = (n: number) =>
  enc.encode(
    `Return-Path: <a${n}@x.net>\nReceived: from x (x [10.0.0.${n}])\n\tby mx with ESMTPS id Q00000${n}\n\tfor <b@y.org>; Thu, 01 Jan 2026 00:00:0${n} +0000\nSubject: Message ${n}\nMessage-ID: <${n}.1.2d739f04@x.net>\n\n`,
  );
// Heads of another kind (CRLF), one that starts with empty lines, and a run of LFs.
const templates = [template(1), template(2), enc.encode('X-Queue: 1\r\nFrom: a\r\n\r\n'), enc.encode(`\n\nX-Long: ${'y'.repeat(60)}\n\n`), enc.encode('\n'.repeat(8))];

type Edit = { at: number; remove: number; insert: number[] };
const edit: fc.Arbitrary<Edit> = fc.record({ at: fc.nat(400), remove: fc.nat(12), insert: fc.array(fc.oneof(fc.nat(255), fc.constant(10)), { maxLength: 12 }) });
const headSpec = fc.oneof(
  fc.record({ template: fc.nat(templates.length - 1), edits: fc.array(edit, { maxLength: 4 }) }),
  fc.record({ bytes: fc.uint8Array({ maxLength: 200 }) }),
);

function headOf(spec: { template: number; edits: Edit[] } | { bytes: Uint8Array }): Uint8Array {
  if ('bytes' in spec) return spec.bytes;
  let bytes = [...templates[spec.template]!];
  for (const e of spec.edits) {
    const at = Math.min(e.at, bytes.length);
    bytes = [...bytes.slice(0, at), ...e.insert, ...bytes.slice(at + e.remove)];
  }
  return Uint8Array.from(bytes);
}

function decoded(base: string | null, delta: string, length: number): Uint8Array {
  const out = new Uint8Array(length);
  decodeHead(base, delta, out);
  return out;
}

describe('mail-file heads coded against recent heads', () => {
  it('decode to exactly the heads, whichever base each was coded against', () => {
    fc.assert(
      fc.property(fc.array(headSpec, { maxLength: 30 }), (specs) => {
        const coder = new HeadCoder();
        const kept: Array<{ head: Uint8Array; base: string | null; delta: string }> = [];
        for (const spec of specs) {
          const head = headOf(spec);
          const delta = coder.encode(head);
          kept.push({ head: head.slice(), base: coder.lastBase, delta });
          head.fill(0x3f); // the caller may reuse its buffer
          expect(delta.length).toBeLessThanOrEqual(head.length);
        }
        for (const { head, base, delta } of kept) expect(decoded(base, delta, head.length)).toEqual(head);
      }),
      { numRuns: 500 },
    );
  });

  it('keeps a run of similar heads as short deltas against one base, and other kinds verbatim as new bases', () => {
    const coder = new HeadCoder();
    const first = coder.encode(templates[0]!);
    expect(coder.lastBase).toBeNull();
    const second = coder.encode(templates[1]!);
    expect(coder.lastBase).toBe(first);
    expect(second.length).toBeLessThan(templates[1]!.length / 4);
    expect(decoded(first, second, templates[1]!.length)).toEqual(templates[1]);
    coder.encode(templates[2]!);
    expect(coder.lastBase).toBeNull();
    coder.encode(template(3));
    expect(coder.lastBase).toBe(first); // the older base of its kind is still tried
  });
});
