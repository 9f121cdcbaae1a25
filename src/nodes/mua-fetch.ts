/**
 * The MUA's `fetch` action (docs/reference.md §7): the recipient reads mail. POP3 retrieves everything and
 * deletes it unless `keep` ("leave a copy on the server": then only messages it has not seen, by UIDL);
 * IMAP selects `folder`, fetches every message (which sets \Seen) and never deletes. With `tls` the
 * client uses the implicit-TLS port (995 / 993, RFC 8314). The result goes into the report's `fetches`.
 */
import type { Connection } from '../net/connection.js';
import type { Host } from '../net/host.js';
import { ImapClient, type ImapClientEvent } from '../protocols/imap/client.js';
import { Pop3ClientMachine } from '../protocols/pop3/client.js';
import type { Pop3ClientEvent } from '../protocols/pop3/types.js';
import type { FetchRecord } from '../mail/fetch-record.js';
import type { FetchSpec, HostConfig } from './config.js';
import type { Simulator } from '../sim/index.js';
import { MachineSession, nothingToStart } from './machine-session.js';
import { mailboxPorts } from './mailbox-services.js';
import { getHeader } from './mail/headers.js';

export const fetchConnectTimeoutMs = 30_000;

export interface FetchWorld {
  sim: Simulator;
  host: Host;
  hostConfig(name: string): HostConfig | undefined;
  addressOf(hostName: string): string | undefined;
}

export class MailReader {
  /** UIDLs each user's POP3 client has already retrieved (keep mode). */
  private readonly seenUidls = new Map<string, Set<string>>();

  constructor(private readonly world: FetchWorld) {}

  fetch(spec: FetchSpec, done: (result: FetchRecord) => void): void {
    const { sim } = this.world;
    const atMs = sim.nowMs;
    const fail = (error: string) => done({ atMs, user: spec.user, protocol: spec.protocol, ok: false, messages: [], error });
    const address = this.world.addressOf(spec.host);
    const hostConfig = this.world.hostConfig(spec.host);
    const localPart = spec.user.slice(0, spec.user.lastIndexOf('@'));
    const account = hostConfig?.users.find((u) => u.addresses.some((a) => a.toLowerCase() === spec.user.toLowerCase()) || u.name.toLowerCase() === localPart.toLowerCase());
    if (address === undefined || account === undefined) {
      fail(`no mailbox for ${spec.user} on ${spec.host}`);
      return;
    }
    const port = spec.protocol === 'pop3' ? (spec.tls ? mailboxPorts.pop3s : mailboxPorts.pop3) : spec.tls ? mailboxPorts.imaps : mailboxPorts.imap;
    this.world.host.connect(address, port, { timeoutMs: fetchConnectTimeoutMs }, {
      onFailed: (failure) => fail(`connect to ${spec.host}:${port}: ${failure}`),
      onConnected: (conn) => {
        const password = account.password ?? '';
        const finish = (ok: boolean, messages: Uint8Array[], error: string | null) =>
          done({
            atMs,
            user: spec.user,
            protocol: spec.protocol,
            ok,
            messages: messages.map((bytes) => ({ messageId: getHeader(bytes, 'Message-ID')?.trim() ?? null, subject: getHeader(bytes, 'Subject')?.trim() ?? null })),
            error,
          });
        const session = spec.protocol === 'pop3' ? this.pop3Session(conn, spec, account.name, password, finish) : this.imapSession(conn, spec, account.name, password, finish);
        if (spec.tls) conn.startTls(() => session.start(nothingToStart));
        else session.start(nothingToStart);
      },
    });
  }

  private pop3Session(conn: Connection, spec: FetchSpec, user: string, password: string, finish: (ok: boolean, messages: Uint8Array[], error: string | null) => void): MachineSession<Pop3ClientEvent> {
    const { sim } = this.world;
    const seen = this.seenUidls.get(spec.user) ?? new Set<string>();
    this.seenUidls.set(spec.user, seen);
    const machine = new Pop3ClientMachine({ user, password, startTls: false, keep: spec.keep, seenUidls: seen, nowMs: sim.nowMs });
    const messages: Uint8Array[] = [];
    let reported = false;
    return new MachineSession<Pop3ClientEvent>(
      sim,
      conn,
      machine,
      {
        onEvent: (event, s) => {
          if (event.type === 'starttls') s.beginTls();
          else if (event.type === 'message') {
            messages.push(event.bytes);
            if (event.uidl !== null) seen.add(event.uidl);
          } else if (event.type === 'done' && !reported) {
            reported = true;
            finish(event.ok, messages, event.error);
          }
        },
        onFinished: () => {
          if (!reported) {
            reported = true;
            finish(false, messages, 'connection closed');
          }
        },
      },
      () => true,
    );
  }

  private imapSession(conn: Connection, spec: FetchSpec, user: string, password: string, finish: (ok: boolean, messages: Uint8Array[], error: string | null) => void): MachineSession<ImapClientEvent> {
    const { sim } = this.world;
    const machine = new ImapClient({ user, password, folder: spec.folder, startTls: false }, sim.nowMs);
    let reported = false;
    return new MachineSession<ImapClientEvent>(
      sim,
      conn,
      machine,
      {
        onEvent: (event, s) => {
          if (event.type === 'starttls') s.beginTls();
          else if (event.type === 'done' && !reported) {
            reported = true;
            finish(event.ok, event.messages.map((m) => m.bytes), event.error);
          }
        },
        onFinished: () => {
          if (!reported) {
            reported = true;
            finish(false, [], 'connection closed');
          }
        },
      },
      () => true,
    );
  }
}
