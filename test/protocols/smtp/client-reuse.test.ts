/**
 * The client machine's part in a cached connection (docs/delivery.md R15): an idle session (`idle`),
 * the RSET probe before the next message (`probeBeforeNext`; Postfix smtp_reuse.c), and closing an idle
 * session without QUIT (`hangUp`; Postfix's scache closes the socket).
 */
import { describe, expect, it } from 'vitest';
import { SmtpClient, type SmtpClientEvent } from '../../../src/protocols/smtp/client.js';
import { summarise, tx } from './client-harness.js';

const EHLO = '250-mx.b.example\r\n250 8BITMIME\r\n';

/** A session that delivered one message and waits (no finish): output and events so far are drained. */
function idleSession() {
  const client = new SmtpClient({ heloName: 'client.a.example', tls: 'none' });
  const decoder = new TextDecoder('latin1');
  const events: SmtpClientEvent[] = [];
  let output = '';
  const feed = (text: string) => {
    if (text !== '') client.receive(new TextEncoder().encode(text), 0);
    for (const chunk of client.takeOutput()) output += decoder.decode(chunk);
    events.push(...client.takeEvents());
  };
  client.enqueue(tx('t1', ['bob@b.example']));
  client.start(0);
  for (const reply of ['220 mx.b.example ESMTP\r\n', EHLO, '250 2.1.0 Ok\r\n', '250 2.1.5 Ok\r\n', '354 go\r\n', '250 2.0.0 queued\r\n']) feed(reply);
  const take = () => {
    const out = { output, events: events.map(summarise) };
    output = '';
    events.length = 0;
    return out;
  };
  return { client, feed, take };
}

describe('SmtpClient: a session kept for reuse (R15)', () => {
  it('after its message, without finish(), the session is idle: no QUIT, no deadline', () => {
    const s = idleSession();
    const { output, events } = s.take();
    expect(output).toMatch(/\r\n\.\r\n$/);
    expect(events).toContain('done t1 bob@b.example=accepted/250/data-done');
    expect(s.client.idle).toBe(true);
    expect(s.client.nextTimeoutMs()).toBeNull();
  });

  it('probeBeforeNext: RSET, then the next message on the same session', () => {
    const s = idleSession();
    s.take();
    s.client.probeBeforeNext();
    s.client.enqueue(tx('t2', ['carol@b.example']), 0);
    s.feed('');
    expect(s.take().output).toBe('RSET\r\n');
    s.feed('250 2.0.0 Ok\r\n');
    expect(s.take().output).toBe('MAIL FROM:<alice@a.example>\r\n');
  });

  it('a refused probe ends the session: the waiting message is deferred at stage rset, nothing of it was sent', () => {
    const s = idleSession();
    s.take();
    s.client.probeBeforeNext();
    s.client.enqueue(tx('t2', ['carol@b.example']), 0);
    s.feed('');
    s.take();
    s.feed('421 4.4.2 idle too long\r\n');
    const { output, events } = s.take();
    expect(output).not.toMatch(/MAIL FROM/);
    expect(events).toContain('done t2 carol@b.example=deferred/421/rset');
    expect(events.at(-1)).toMatch(/^closed /);
  });

  it('hangUp closes an idle session without QUIT', () => {
    const s = idleSession();
    s.take();
    s.client.hangUp(0);
    s.feed('');
    const { output, events } = s.take();
    expect(output).toBe('');
    expect(events).toEqual(['closed quit/idle']);
    expect(s.client.closed).toBe(true);
  });
});
