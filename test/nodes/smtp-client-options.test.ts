/**
 * The SMTP listener keeps one server-options object per (port, TLS, client address) and shares it
 * between that client's sessions (src/nodes/smtp/smtp-service.ts `clientOptions`, issue 21). Each
 * session must still see its own client: here one MX's port 25 takes mail from the MUA host directly
 * and from the sender's MTA, alternately, and every Received the MX writes names the client that
 * connected (RFC 5321 §4.4 TCP-info), as a server built with fresh options per connection does.
 */
import { describe, expect, it } from 'vitest';
import { muaHostName } from '../../src/nodes/world.js';
import { mailbox, mailHost, run, twoDomainWorld } from './world-harness.js';

const sends = [0, 1, 2, 3]
  .map((i) => `\n  - at: ${i + 1}m\n    send: { from: alice@sender.net, to: bob@example.org, subject: "S${i}", body: "b", port: ${i % 2 === 0 ? 25 : 587} }`)
  .join('');

describe('shared server options per client address', () => {
  const { world } = run(twoDomainWorld({ traffic: sends }), { seed: 3 });
  const mua = world.net.host(muaHostName).address;
  const msa = mailHost(world, 'smtp.sender.net').netHost.address;

  it('each Received the MX writes names the client of its own session', () => {
    const messages = mailbox(world, 'mx1.example.org', 'bob');
    expect(messages).toHaveLength(4);
    const clientOf = (message: string) => {
      const top = /^Return-Path: [^\r]*\r\nReceived: from [^\r]*\[([^\]]+)\]\)\r\n\tby mx1\.example\.org/.exec(message);
      const subject = /\r\nSubject: (S\d)\r\n/.exec(message);
      return [subject?.[1], top?.[1]];
    };
    expect(messages.map(clientOf).sort()).toEqual([
      ['S0', mua],
      ['S1', msa],
      ['S2', mua],
      ['S3', msa],
    ]);
    expect(mua).not.toBe(msa);
  });
});
