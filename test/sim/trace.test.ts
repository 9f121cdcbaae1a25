/** The trace and its digest (docs/architecture.md rule 4). */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Simulator } from '../../src/sim/index.js';

function scripted(keepTrace: boolean, text = 'HELO x\r\n') {
  const sim = new Simulator({ seed: 1, keepTrace });
  sim.at(5, () => sim.trace.record('a', { host: 'h1', n: 3, ok: true, none: null }));
  sim.at(9, () => sim.trace.recordPayload('bytes', { conn: 'c1' }, new TextEncoder().encode(text)));
  sim.runUntilIdle();
  return sim;
}

describe('Trace', () => {
  it('serialises canonically: t, kind, fields in insertion order; payload length, and text when kept', () => {
    const sim = scripted(true);
    expect(sim.trace.toJsonLines()).toBe(
      '{"t":5,"kind":"a","host":"h1","n":3,"ok":true,"none":null}\n{"t":9,"kind":"bytes","conn":"c1","bytes":8,"text":"HELO x\\r\\n"}\n',
    );
    expect(sim.trace.events[0]).toEqual({ t: 5, kind: 'a', host: 'h1', n: 3, ok: true, none: null });
    expect(sim.trace.count).toBe(2);
  });

  it('digest is sha256 over the documented byte stream, the same kept or not', () => {
    const hash = createHash('sha256');
    hash.update('{"t":5,"kind":"a","host":"h1","n":3,"ok":true,"none":null}\n{"t":9,"kind":"bytes","conn":"c1","bytes":8}\n');
    hash.update(new TextEncoder().encode('HELO x\r\n'));
    const expected = `sha256:${hash.digest('hex')}`;
    expect(scripted(true).trace.digest()).toBe(expected);
    expect(scripted(false).trace.digest()).toBe(expected);
    expect(scripted(false).trace.events).toEqual([]);
  });

  it('the digest covers payload bytes and can be taken mid-run', () => {
    expect(scripted(false, 'HELO x\r\n').trace.digest()).not.toBe(scripted(false, 'HELO y\r\n').trace.digest());
    const sim = scripted(false);
    const before = sim.trace.digest();
    expect(sim.trace.digest()).toBe(before);
    sim.trace.record('more', {});
    expect(sim.trace.digest()).not.toBe(before);
  });

  it('rejects reserved field names', () => {
    const sim = new Simulator({ seed: 1 });
    expect(() => sim.trace.record('x', { t: 1 })).toThrow(/reserved/);
    expect(() => sim.trace.recordPayload('x', { bytes: 1 }, new Uint8Array(1))).toThrow(/reserved/);
  });

  it('hashes large traces in chunks without changing the digest', () => {
    const a = new Simulator({ seed: 1 });
    const lines: string[] = [];
    for (let i = 0; i < 5000; i++) {
      a.trace.record('e', { i });
      lines.push(`{"t":0,"kind":"e","i":${i}}\n`);
    }
    expect(a.trace.digest()).toBe(`sha256:${createHash('sha256').update(lines.join('')).digest('hex')}`);
  });
});
