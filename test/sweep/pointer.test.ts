/** RFC 6901 pointers as a sweep's vary: keys use them (src/sweep/pointer.ts). */
import { describe, expect, it } from 'vitest';
import { escapeToken, parsePointer, setAtPointer } from '../../src/sweep/pointer.js';

describe('JSON Pointer (RFC 6901)', () => {
  it('parses tokens, decoding ~1 before ~0 (§4)', () => {
    expect(parsePointer('/faults/0/until')).toEqual({ ok: true, tokens: ['faults', '0', 'until'] });
    expect(parsePointer('/a~1b/m~0n/~01')).toEqual({ ok: true, tokens: ['a/b', 'm~n', '~1'] });
    expect(parsePointer('/hosts/smtp.sender.net/queue')).toEqual({ ok: true, tokens: ['hosts', 'smtp.sender.net', 'queue'] });
    expect(escapeToken('a/b~c')).toBe('a~1b~0c');
  });

  it('refuses the whole-document pointer, a missing leading slash and a bare ~', () => {
    expect(parsePointer('')).toMatchObject({ ok: false, message: expect.stringMatching(/whole scenario/) });
    expect(parsePointer('faults/0')).toMatchObject({ ok: false, message: expect.stringMatching(/starts with "\/".*\/faults\/0/) });
    expect(parsePointer('/a~2')).toMatchObject({ ok: false, message: expect.stringMatching(/~0 is "~"/) });
  });

  it('sets a value in a copy: replaces, appends at the length, creates missing mappings', () => {
    const base = { faults: [{ at: '0s', until: '1h' }], hosts: { 'a.example': { roles: ['mta'] } } };
    const frozen = JSON.stringify(base);
    expect(setAtPointer(base, ['faults', '0', 'until'], '2h')).toEqual({ ok: true, value: { ...base, faults: [{ at: '0s', until: '2h' }] } });
    expect(setAtPointer(base, ['faults', '1'], { at: '1m' })).toMatchObject({ ok: true, value: { faults: [{ at: '0s', until: '1h' }, { at: '1m' }] } });
    expect(setAtPointer(base, ['hosts', 'a.example', 'queue', 'schedule'], 'exim')).toMatchObject({ ok: true, value: { hosts: { 'a.example': { roles: ['mta'], queue: { schedule: 'exim' } } } } });
    expect(JSON.stringify(base)).toBe(frozen);
  });

  it('says what is wrong: an index past the end, a non-index in a list, a near-miss key, a scalar in the way', () => {
    const base = { faults: [{ until: '1h' }], hosts: { 'smtp.sender.net': {} }, seed: 7 };
    expect(setAtPointer(base, ['faults', '3', 'until'], 1)).toMatchObject({ ok: false, message: '/faults has 1 item: there is no index 3' });
    expect(setAtPointer(base, ['faults', 'x'], 1)).toMatchObject({ ok: false, message: expect.stringMatching(/is a list: "x" is not an index/) });
    expect(setAtPointer(base, ['faults', '01'], 1)).toMatchObject({ ok: false });
    expect(setAtPointer(base, ['hosts', 'smtp.sendr.net', 'queue'], {})).toMatchObject({ ok: false, message: expect.stringMatching(/did you mean "smtp.sender.net"/) });
    expect(setAtPointer(base, ['seed', 'x'], 1)).toMatchObject({ ok: false, message: expect.stringMatching(/\/seed is 7, not a mapping or a list/) });
  });
});
