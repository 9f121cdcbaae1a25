/**
 * The services of one mail host, wired the same way whether the host lives in the simulator
 * (`MailHost`) or on real sockets (`mailsim serve`): the MDA when the host delivers locally, the queue
 * with its local and SMTP transports, the scripted SMTP faults, the SMTP listeners, and POP3 / IMAP
 * when the host's roles ask for them (docs/reference.md §5).
 */
import { isFinalDestination } from './config.js';
import type { BootableService, HostContext } from './host-context.js';
import { ImapService, Pop3Service } from './mailbox-services.js';
import { LocalTransport } from './mda/local-transport.js';
import { MailQueue } from './queue/mail-queue.js';
import { SmtpTransport } from './queue/smtp-transport.js';
import { SmtpFaultBook } from './smtp/fault-book.js';
import { SmtpService } from './smtp/smtp-service.js';

/** A service that listens on ports and must re-open them at every boot (POP3, IMAP). */

export type { BootableService };

export interface MailServices {
  local: LocalTransport | null;
  queue: MailQueue;
  faults: SmtpFaultBook;
  smtp: SmtpService;
  /** Listeners besides SMTP's, opened at every boot. */
  services: BootableService[];
}

export function composeMailServices(ctx: HostContext): MailServices {
  const config = ctx.config;
  const local = config.deliversLocally ? new LocalTransport(ctx) : null;
  const queue = new MailQueue(ctx, { local, smtp: new SmtpTransport(ctx) }, (domain) => isFinalDestination(config, domain));
  if (local !== null) local.queue = queue;
  const faults = new SmtpFaultBook(ctx.random('fault'));
  const smtp = new SmtpService(ctx, queue, local, faults);
  const services: BootableService[] = [];
  if (local !== null) {
    if (config.roles.includes('pop3')) services.push(new Pop3Service(ctx, local));
    if (config.roles.includes('imap')) services.push(new ImapService(ctx, local));
  }
  return { local, queue, faults, smtp, services };
}
