/**
 * The mail log keeps a model for the report; `mailsim serve` keeps none (`keep: false`), so its memory
 * does not grow with every message, while the trace it records stays the same.
 */
import { describe, expect, it } from 'vitest';
import { MailLog } from '../../../src/nodes/mail-log.js';
import { Simulator } from '../../../src/sim/index.js';

function exercise(log: MailLog, messages: number): void {
  for (let i = 0; i < messages; i++) {
    const id = `<${i}@sender.net>`;
    log.submitting(id, 'alice@sender.net', ['bob@example.org'], `Message ${i}`);
    log.accepted('smtp.sender.net', id, 'alice@sender.net', ['bob@example.org'], 587);
    log.attempt(id, 'bob@example.org', { atMs: 0, from: 'smtp.sender.net', to: 'mx.example.org', address: '10.0.0.10', result: 'accepted', reply: '250 OK' });
    log.delivered(id, 'bob@example.org', { host: 'mx.example.org', user: 'bob', folder: 'INBOX' });
    log.relayViolation('mx.example.org', 'someone@elsewhere.invalid');
  }
}

describe('MailLog', () => {
  it('keeps every message and violation for the report by default', () => {
    const sim = new Simulator({ seed: 1 });
    const log = new MailLog(sim);
    exercise(log, 3);
    expect(log.messages.size).toBe(3);
    expect(log.messages.get('<2@sender.net>')!.recipients.get('bob@example.org')!.deliveries).toHaveLength(1);
    expect(log.relayViolations).toHaveLength(3);
  });

  it('with keep: false records the same trace and holds nothing', () => {
    const kept = new Simulator({ seed: 1 });
    const lean = new Simulator({ seed: 1 });
    exercise(new MailLog(kept), 50);
    const log = new MailLog(lean, { keep: false });
    exercise(log, 50);
    expect(log.messages.size).toBe(0);
    expect(log.relayViolations).toHaveLength(0);
    expect(lean.trace.count).toBe(kept.trace.count);
    expect(lean.trace.digest()).toBe(kept.trace.digest());
  });
});
