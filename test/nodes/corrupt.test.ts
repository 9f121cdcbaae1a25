/**
 * The `corrupt` fault (docs/reference.md §6): a message reaching mx.example.org is damaged in flight
 * after the final dot. The server cannot tell (SMTP has no content checksum, RFC 5321 §4.1.1.4): it
 * answers 250, and bob's mailbox holds the damaged bytes — one bit flipped in the body, or the body
 * cut short — with the header block whole. `times` limits it to the next N messages; each damaged
 * message is traced as `smtp.corrupt`.
 */
import { describe, expect, it } from 'vitest';
import { runScenarioWorld } from '../../src/runner/run.js';
import { validateScenarioObject } from '../../src/scenario/load.js';
import { mailbox } from './world-harness.js';

const body = 'The quick brown fox jumps over the lazy dog, forty-two times over.';

function run(corrupt: Record<string, unknown> | null, count = 1) {
  const scenario = validateScenarioObject({
    name: 'damaged in flight',
    until: '1d',
    dns: { 'sender.net': { mx: ['10 smtp.sender.net'] }, 'example.org': { mx: ['10 mx.example.org'] } },
    hosts: {
      'smtp.sender.net': { roles: ['msa', 'mta'], domains: ['sender.net'], users: { alice: 'secret' } },
      'mx.example.org': { roles: ['mta', 'mda'], domains: ['example.org'], users: { bob: 'pw' } },
    },
    faults: corrupt === null ? [] : [{ at: '0s', corrupt: { host: 'mx.example.org', ...corrupt } }],
    traffic: [{ at: '1m', send: { from: 'alice@sender.net', to: 'bob@example.org', subject: 'fox', body, count, every: '1m' } }],
  });
  return runScenarioWorld(scenario, { keepTrace: true });
}

const bodyOf = (message: string) => message.slice(message.indexOf('\r\n\r\n') + 4);
const headOf = (message: string) => message.slice(0, message.indexOf('\r\n\r\n'));

describe('corrupt', () => {
  const clean = run(null);
  const [intact] = mailbox(clean.world, 'mx.example.org', 'bob');

  it('without the fault, bob gets the body as sent (the baseline)', () => {
    expect(bodyOf(intact!)).toBe(`${body}\r\n`);
  });

  it('flip: delivered with 250, one bit of one body byte inverted, the header block whole, traced', () => {
    const { world, report } = run({ mode: 'flip' });
    const [damaged] = mailbox(world, 'mx.example.org', 'bob');
    expect(report.messages[0]!.recipients[0]!.status).toBe('delivered');
    expect(headOf(damaged!)).toBe(headOf(intact!));
    const sent = Buffer.from(bodyOf(intact!), 'latin1');
    const got = Buffer.from(bodyOf(damaged!), 'latin1');
    expect(got.length).toBe(sent.length);
    const differing = [...sent.keys()].filter((i) => sent[i] !== got[i]);
    expect(differing).toHaveLength(1);
    expect(sent[differing[0]!]! ^ got[differing[0]!]!).toBe(0x01);
    const traced = world.sim.trace.events.filter((event) => event.kind === 'smtp.corrupt');
    expect(traced).toEqual([expect.objectContaining({ host: 'mx.example.org', mode: 'flip' })]);
  });

  it('truncate: delivered with 250, the body cut short and ended with CRLF', () => {
    const { world, report } = run({ mode: 'truncate' });
    const [damaged] = mailbox(world, 'mx.example.org', 'bob');
    expect(report.messages[0]!.recipients[0]!.status).toBe('delivered');
    expect(headOf(damaged!)).toBe(headOf(intact!));
    const got = bodyOf(damaged!);
    expect(got.length).toBeLessThan(body.length + 2);
    expect(got.endsWith('\r\n')).toBe(true);
    expect(`${body}\r\n`.startsWith(got.slice(0, -2))).toBe(true);
  });

  it('times: 1 damages only the next message', () => {
    const { world } = run({ mode: 'flip', times: 1 }, 3);
    const bodies = mailbox(world, 'mx.example.org', 'bob').map(bodyOf);
    expect(bodies).toHaveLength(3);
    expect(bodies.filter((b) => b !== `${body}\r\n`)).toHaveLength(1);
  });
});
