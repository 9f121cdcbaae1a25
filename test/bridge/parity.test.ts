/**
 * Parity (issue 7): one scripted client conversation through the simulator (virtual network, virtual
 * clock) and through `mailsim serve` (real loopback sockets, real clock) gives the same transcript —
 * the same bytes from the server, reply by reply — for SMTP on port 25 (accept, 550 5.1.1, 554 5.7.1,
 * DATA, QUIT) and for POP3 reading that message back (USER/PASS, STAT, LIST, RETR, QUIT).
 *
 * Normalised before comparing, because they legitimately differ: the client's address (192.0.2.1 in the
 * simulator, 127.0.0.1 on loopback) and its name in Received: (the simulator knows the client host's
 * name, `mua.mailsim.invalid`; serve does no reverse DNS: `unknown`), hence the POP3 octet counts (checked
 * separately against the bytes RETR returns); every RFC 5322 date (virtual vs. wall clock); and the POP3
 * banner's timestamp token `<n.ms@host>` (RFC 1939 §7 APOP). Everything else must match byte for byte.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Connection } from '../../src/net/connection.js';
import { World } from '../../src/nodes/world.js';
import { parseScenarioText } from '../../src/scenario/load.js';
import { eventually, inboxOf, RawClient, serveInProcess, tempDir } from '../interop/harness.js';

const scenarioText = `name: parity
hosts:
  mail.example.test:
    roles: [mta, mda, pop3, imap, msa]
    domains: [example.test]
    users: { alice: secret }
`;

const message = 'From: x@remote.example\r\nTo: alice@example.test\r\nMessage-ID: <parity@remote.example>\r\nSubject: parity\r\n\r\nsame bytes\r\n..dot-stuffed line\r\n.\r\n';
const smtpScript = ['EHLO client.example\r\n', 'MAIL FROM:<x@remote.example>\r\n', 'RCPT TO:<alice@example.test>\r\n', 'RCPT TO:<nobody@example.test>\r\n', 'RCPT TO:<x@elsewhere.example>\r\n', 'DATA\r\n', message, 'QUIT\r\n'];
const pop3Script = ['USER alice\r\n', 'PASS secret\r\n', 'STAT\r\n', 'LIST\r\n', 'RETR 1\r\n', 'QUIT\r\n'];

/** One server answer is complete: SMTP last line `ddd `; POP3 a status line, or a multi-line answer ending in `.`. */
function complete(protocol: 'smtp' | 'pop3', text: string, multiLine: boolean): boolean {
  if (protocol === 'smtp') return /(^|\r\n)\d{3} [^\r\n]*\r\n$/.test(text);
  if (text.startsWith('-ERR')) return text.endsWith('\r\n');
  return multiLine ? text.endsWith('\r\n.\r\n') : text.endsWith('\r\n');
}

const multiLinePop3 = (line: string) => /^(LIST|RETR|UIDL|CAPA)\b/.test(line) && !/^LIST \d/.test(line);

function normalise(text: string): string {
  return text
    .replace(/\b(192\.0\.2\.1|127\.0\.0\.1)\b/g, '<client-address>')
    .replace(/\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{1,2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}/g, '<date>')
    .replace(/<\d+\.\d+@[^>]+>/g, '<banner-token>')
    .replace(/\((\S+) \[<client-address>\]\)/g, '(<client-name> [<client-address>])')
    .replace(/\b\d+ octets\b/g, '<n> octets')
    .replace(/^1 \d+\r\n/gm, '1 <n>\r\n')
    .replace(/^\+OK 1 \d+\r\n$/, '+OK 1 <n>\r\n');
}

/** Runs the script through the simulator: one answer per line (the greeting first). */
function throughSimulator(world: World, port: number, protocol: 'smtp' | 'pop3', script: string[]): string[] {
  const answers: string[] = [];
  const mua = world.net.hosts().find((h) => h.name === 'mua.mailsim.invalid');
  const server = world.hosts.get('mail.example.test');
  if (mua === undefined || server === undefined) throw new Error('world without its hosts');
  let current = '';
  let index = -1;
  mua.connect(server.netHost.address, port, { timeoutMs: 30_000 }, {
    onFailed: (reason) => {
      throw new Error(`connect failed: ${reason}`);
    },
    onConnected: (conn: Connection) => {
      conn.setHandlers({
        onData: (bytes) => {
          current += new TextDecoder('latin1').decode(bytes);
          const pending = index < 0 ? '' : (script[index] ?? '');
          if (!complete(protocol, current, index >= 0 && protocol === 'pop3' && multiLinePop3(pending))) return;
          answers.push(current);
          current = '';
          index += 1;
          const next = script[index];
          if (next !== undefined) conn.write(new TextEncoder().encode(next));
        },
        onEnd: () => conn.end(),
        onClose: () => {},
      });
    },
  });
  world.sim.runUntil(world.sim.nowMs + 600_000);
  return answers;
}

async function throughSockets(port: number, protocol: 'smtp' | 'pop3', script: string[]): Promise<string[]> {
  const client = await RawClient.connect(port);
  const answers: string[] = [];
  let from = 0;
  try {
    for (let index = -1; index < script.length; index++) {
      const line = index < 0 ? '' : (script[index] ?? '');
      if (index >= 0) client.write(line);
      const deadline = Date.now() + 5_000;
      while (!complete(protocol, client.text.slice(from), index >= 0 && protocol === 'pop3' && multiLinePop3(line))) {
        if (Date.now() > deadline) throw new Error(`no complete answer to ${JSON.stringify(line)}: ${JSON.stringify(client.text.slice(from))}`);
        await client.waitFor(/[\s\S]/, 5_000, client.text.length).catch(() => undefined);
      }
      answers.push(client.text.slice(from));
      from = client.text.length;
    }
  } finally {
    client.close();
  }
  return answers;
}

const dir = tempDir('mailsim-parity-');
afterAll(() => dir.remove());

describe('parity: the simulator and real sockets give the same transcript', () => {
  it('SMTP on port 25, then POP3 reading the message back', async () => {
    const world = new World(parseScenarioText(scenarioText, 'parity.yaml'));
    world.start();
    const simSmtp = throughSimulator(world, 25, 'smtp', smtpScript);
    const simPop3 = throughSimulator(world, 110, 'pop3', pop3Script);

    const file = join(dir.path, 'parity.yaml');
    writeFileSync(file, scenarioText);
    const serve = await serveInProcess({ scenario: { file, host: 'mail.example.test' } });
    try {
      const realSmtp = await throughSockets(serve.ports.smtp, 'smtp', smtpScript);
      // The 250 means queued: wait for the local delivery's disk steps to put it in the mailbox.
      await eventually(() => inboxOf(serve, 'alice').length === 1, 10_000, 'the message in alice’s mailbox');
      const realPop3 = await throughSockets(serve.ports.pop3, 'pop3', pop3Script);

      expect(simSmtp).toHaveLength(smtpScript.length + 1);
      expect(simSmtp.map(normalise)).toEqual(realSmtp.map(normalise));
      expect(simPop3).toHaveLength(pop3Script.length + 1);
      expect(simPop3.map(normalise)).toEqual(realPop3.map(normalise));
      // The transcript says what it should, so "equal" is not "equally empty".
      expect(realSmtp.join('')).toMatch(/550 5\.1\.1[\s\S]*554 5\.7\.1[\s\S]*354 [\s\S]*250 2\.0\.0[\s\S]*221 /);
      const octets = Number(/^\+OK (\d+) octets\r\n/.exec(realPop3[5] ?? '')?.[1]);
      const body = (realPop3[5] ?? '').replace(/^[^\n]*\n/, '').replace(/\r\n\.\r\n$/, '\r\n').replaceAll('\r\n..', '\r\n.');
      expect(octets).toBe(Buffer.byteLength(body, 'latin1'));
      expect(realPop3[5]).toMatch(/^\+OK[\s\S]*Subject: parity\r\n\r\nsame bytes\r\n\.\.dot-stuffed line\r\n\.\r\n$/);
    } finally {
      await serve.stop();
    }
  });
});
