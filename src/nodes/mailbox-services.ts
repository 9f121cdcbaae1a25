/**
 * A host's mailbox access services: POP3 (110 with STLS, 995 with implicit TLS; RFC 1939, 2595, 8314)
 * and IMAP (143 with STARTTLS, 993 with implicit TLS; RFC 3501, 8314), each connection one server
 * machine over the user's store — the same store the MDA delivers into (docs/delivery.md §9, §10).
 *
 * Users log in with their name or any of their addresses. The IMAP sessions of one boot share one
 * `\Recent` registry (I6: a new message is recent in exactly one session). A failed login is answered
 * after the host's `auth-failure-delay` and the `auth-failures`-th ends the session (docs/reference.md
 * §5.3). With the host's `plaintextAuth` at 'tls-or-loopback' (serve's default, Dovecot's
 * `disable_plaintext_auth = yes`), a client that is not on loopback must start TLS before it may send a
 * password: POP3 leaves USER out of CAPA and refuses it, IMAP advertises LOGINDISABLED.
 */
import { ImapServer, type ImapServerEvent } from '../protocols/imap/server.js';
import { RecentRegistry } from '../protocols/imap/recent.js';
import { Pop3ServerMachine } from '../protocols/pop3/server.js';
import type { Pop3ServerEvent } from '../protocols/pop3/types.js';
import type { UserConfig } from './config.js';
import type { UserMailStore } from '../store/mailstore.js';
import { MachineSession, nothingToStart } from './machine-session.js';
import type { BootableService, HostContext } from './host-context.js';

/** A loopback client (127.0.0.0/8, ::1, IPv4-mapped 127.x): Dovecot counts it as secure. */
export function isLoopback(address: string): boolean {
  return address === '::1' || /^(::ffff:)?127\./i.test(address);
}

/** May this connection send a password in the clear before TLS (HostContext.plaintextAuth)? */
function plaintextAuthAllowed(ctx: HostContext, conn: StreamEndpoint): boolean {
  return (ctx.plaintextAuth ?? 'allowed') === 'allowed' || isLoopback(conn.remoteAddress);
}

/** The host's login limits, for both mailbox protocols (docs/reference.md §5.3). */
function loginLimits(ctx: HostContext): { authFailuresMax: number; authFailureDelayMs: number } {
  return { authFailuresMax: ctx.config.limits.authFailures, authFailureDelayMs: ctx.config.limits.authFailureDelayMs };
}
import type { LocalTransport } from './mda/local-transport.js';
import type { StreamEndpoint } from './stream-endpoint.js';

export const mailboxPorts = { pop3: 110, pop3s: 995, imap: 143, imaps: 993 } as const;

/** Finds a user by login name or address (case-insensitive, as Dovecot's default). */
export function findUser(users: readonly UserConfig[], login: string): UserConfig | null {
  const lower = login.toLowerCase();
  return users.find((user) => user.name.toLowerCase() === lower || user.addresses.some((a) => a.toLowerCase() === lower)) ?? null;
}

export class Pop3Service implements BootableService {
  private sessions = 0;

  constructor(
    private readonly ctx: HostContext,
    private readonly local: LocalTransport,
  ) {}

  listen(): void {
    this.ctx.netHost.listen(mailboxPorts.pop3, (conn) => this.accept(conn, false));
    if (this.ctx.config.tls) this.ctx.netHost.listen(mailboxPorts.pop3s, (conn) => this.accept(conn, true));
  }

  private accept(conn: StreamEndpoint, implicitTls: boolean): void {
    const ctx = this.ctx;
    const epoch = ctx.epoch;
    const sessionNumber = ++this.sessions;
    const users = ctx.config.users;
    {
      const machine = new Pop3ServerMachine({
        hostName: ctx.name,
        bannerToken: `${sessionNumber}.${ctx.sim.nowMs}`,
        sessionId: `pop3-${epoch}-${sessionNumber}`,
        tlsOffered: ctx.config.tls && !implicitTls,
        tlsActive: implicitTls,
        plaintextAuthAllowed: plaintextAuthAllowed(ctx, conn),
        checkPassword: (user, password) => {
          const account = findUser(users, user);
          return account !== null && account.password !== null && account.password === password;
        },
        openMaildrop: (user) => {
          const account = findUser(users, user);
          return account === null ? null : this.local.storeOf(account);
        },
        nowMs: ctx.sim.nowMs,
        limits: { autologoutMs: ctx.config.timeouts.pop3IdleMs, minDataRateBytesPerS: ctx.config.limits.minDataRateBytesPerS, ...loginLimits(ctx) },
      });
      const session = new MachineSession<Pop3ServerEvent>(ctx.sim, conn, machine, { onEvent: (event, s) => event.type === 'starttls' && s.beginTls() }, () => ctx.isCurrent(epoch));
      // The greeting waits in the machine until the session starts: after the handshake on 995.
      if (implicitTls) conn.startTls(() => ctx.isCurrent(epoch) && session.start(nothingToStart));
      else session.start(nothingToStart);
    }
  }
}

export class ImapService implements BootableService {
  private recent = new RecentRegistry();

  constructor(
    private readonly ctx: HostContext,
    private readonly local: LocalTransport,
  ) {}

  listen(): void {
    this.recent = new RecentRegistry(); // \Recent is session state: a new boot starts afresh
    this.ctx.netHost.listen(mailboxPorts.imap, (conn) => this.accept(conn, false));
    if (this.ctx.config.tls) this.ctx.netHost.listen(mailboxPorts.imaps, (conn) => this.accept(conn, true));
  }

  private accept(conn: StreamEndpoint, implicitTls: boolean): void {
    const ctx = this.ctx;
    const epoch = ctx.epoch;
    {
      let session: MachineSession<ImapServerEvent> | null = null;
      const machine = new ImapServer(
        {
          hostname: ctx.name,
          authenticate: (user, password): UserMailStore | null => {
            const account = findUser(ctx.config.users, user);
            if (account === null || account.password === null || account.password !== password) return null;
            return this.local.storeOf(account);
          },
          recent: this.recent,
          tlsActive: implicitTls,
          startTlsAvailable: ctx.config.tls && !implicitTls,
          autologoutMs: ctx.config.timeouts.imapIdleMs,
          loginDisabledWithoutTls: !plaintextAuthAllowed(ctx, conn),
          limits: { preauthCommandBytesMax: ctx.config.limits.imapPreauthCommandBytes, minDataRateBytesPerS: ctx.config.limits.minDataRateBytesPerS, ...loginLimits(ctx) },
          // IDLE updates arrive from other sessions' changes, outside any input of this one.
          onAsyncOutput: () => session?.pump(),
        },
        ctx.sim.nowMs,
      );
      const started = new MachineSession<ImapServerEvent>(ctx.sim, conn, machine, { onEvent: (event, s) => event.type === 'starttls' && s.beginTls() }, () => ctx.isCurrent(epoch));
      session = started;
      // The greeting waits in the machine until the session starts: after the handshake on 993.
      if (implicitTls) conn.startTls(() => ctx.isCurrent(epoch) && started.start(nothingToStart));
      else started.start(nothingToStart);
    }
  }
}
