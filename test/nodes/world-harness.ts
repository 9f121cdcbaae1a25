/**
 * Test helpers: run a scenario given as YAML text or a plain object, and read what landed in a
 * user's mailbox on a host.
 */
import { parse } from 'yaml';
import type { MailHost } from '../../src/nodes/mail-host.js';
import { runSmtpSession, type SmtpSessionOutcome } from '../../src/nodes/smtp-client-session.js';
import { muaHostName, type World } from '../../src/nodes/world.js';
import type { SmtpClientOptions } from '../../src/protocols/smtp/client-types.js';
import type { Report, ReportRecipient } from '../../src/report/types.js';
import { validateScenarioObject } from '../../src/scenario/load.js';
import { runScenarioWorld } from '../../src/runner/run.js';

export function run(yamlText: string, options: { seed?: number; keepTrace?: boolean } = {}): { report: Report; world: World } {
  const scenario = validateScenarioObject(parse(yamlText), 'test.yaml');
  return runScenarioWorld(scenario, options);
}

export function mailHost(world: World, name: string): MailHost {
  const host = world.hosts.get(name);
  if (host === undefined) throw new Error(`no host ${name}`);
  return host;
}

/** The messages (as text) in a user's folder on a host. */
export function mailbox(world: World, hostName: string, user: string, folder = 'INBOX'): string[] {
  const host = mailHost(world, hostName);
  const config = host.config.users.find((u) => u.name === user);
  if (host.local === null || config === undefined) throw new Error(`no user ${user} on ${hostName}`);
  const store = host.local.storeOf(config);
  const box = store.folder(folder);
  if (box === null) return [];
  const decoder = new TextDecoder();
  return box.messages().map((m) => decoder.decode(box.read(m.uid)));
}

/** The report entry of the first (non-DSN) message's recipient `address`. */
export function recipient(report: Report, address: string, messageIndex = 0): ReportRecipient {
  const messages = report.messages.filter((m) => !m.dsn && m.recipients.some((r) => r.address === address));
  const found = messages[messageIndex]?.recipients.find((r) => r.address === address);
  if (found === undefined) throw new Error(`no recipient ${address} in message ${messageIndex}`);
  return found;
}

export function headerCount(message: string, name: string): number {
  const head = message.slice(0, message.indexOf('\r\n\r\n'));
  return head.split('\r\n').filter((line) => line.toLowerCase().startsWith(`${name.toLowerCase()}:`)).length;
}

/** The classic two-domain world of docs/reference.md §2, with hooks for variations. */
export function twoDomainWorld(extra: { faults?: string; example?: string; mx2?: string; traffic?: string; expect?: string; dnsExtra?: string; until?: string } = {}): string {
  return `
name: test world
until: ${extra.until ?? '7d'}
network: { latency: 20ms }
dns:
  sender.net: { mx: ["10 smtp.sender.net"] }
  example.org: ${extra.example ?? '{ mx: ["10 mx1.example.org", "20 mx2.example.org"] }'}
${extra.dnsExtra ?? ''}
hosts:
  smtp.sender.net:
    roles: [msa, mta, mda]
    domains: [sender.net]
    users: { alice: secret }
  mx1.example.org:
    roles: [mta, mda]
    domains: [example.org]
    users: { bob: hunter2 }
  mx2.example.org:
    ${extra.mx2 ?? 'roles: [mta]\n    relay-for: [example.org]'}
faults: ${extra.faults ?? '[]'}
traffic: ${extra.traffic ?? '\n  - at: 1m\n    send: { from: alice@sender.net, to: bob@example.org, subject: Hello, body: "Hi Bob" }'}
expect: ${extra.expect ?? '[]'}
`;
}

/**
 * Opens an SMTP session from the MUA host to `hostName:port` and sends one transaction, as a script
 * would; the world must be started. The callback gets the session's outcome.
 */
export function submitRaw(
  world: World,
  hostName: string,
  port: number,
  transaction: { from: string; recipients: Array<{ address: string; notify?: Array<'NEVER' | 'SUCCESS' | 'FAILURE' | 'DELAY'>; orcpt?: string }>; ret?: 'FULL' | 'HDRS'; envid?: string; message: string },
  client: Partial<SmtpClientOptions> = {},
  done: (outcome: SmtpSessionOutcome) => void = () => {},
): void {
  runSmtpSession(
    {
      sim: world.sim,
      from: world.net.host(muaHostName),
      address: mailHost(world, hostName).netHost.address,
      port,
      connectTimeoutMs: 30_000,
      client: { heloName: 'client.example', tls: 'none', ...client, implicitTls: false },
      transactions: [
        {
          id: 'raw',
          envelope: {
            from: transaction.from,
            recipients: transaction.recipients.map((r) => ({ address: r.address, dsn: { notify: r.notify ?? null, orcpt: r.orcpt ?? null } })),
            body: null,
            smtpUtf8: false,
            requireTls: false,
            declaredSize: null,
            dsn: { ret: transaction.ret ?? null, envid: transaction.envid ?? null },
          },
          message: new TextEncoder().encode(transaction.message),
        },
      ],
      isAlive: () => true,
    },
    done,
  );
}
