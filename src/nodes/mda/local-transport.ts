/**
 * The MDA as a queue transport (Postfix's local(8)): files a message into a local user's mailbox.
 *
 * Theory of operation. For one recipient: find the user (unknown → 5.1.1), run the user's filters in
 * order, first match wins (docs/reference.md §7.1: folder, forward, discard, reject), check the quota (over
 * it → 452-style 4.2.2, retried), add exactly one Return-Path (T2), then deliver in disk steps the
 * kernel schedules one millisecond apart — Maildir writes tmp/ then renames into new/ (W1), mbox
 * appends in chunks (W2) — so a crash can fall between steps and leave exactly what a real crash
 * leaves. The queue entry is updated only after the commit step: a crash before it repeats the
 * delivery after boot (at worst a duplicate, never a loss).
 */
import { SIM_EPOCH_MS } from '../../sim/calendar.js';
import { type DeliverableMailStore, openUserMailStore } from '../../store/userStore.js';
import type { FilterRule, UserConfig } from '../config.js';
import type { HostContext } from '../host-context.js';
import { setReturnPath } from '../mail/headers.js';
import type { DeliveryJob, MailQueue, RecipientResult, Transport } from '../queue/mail-queue.js';
import { applyFilters, type CompiledFilters, compileFilters, filterMessage, type MailFilter, makeFilter } from './filters.js';

/** Virtual ms between two disk steps of one delivery. */
export const deliveryStepMs = 1;

export class LocalTransport implements Transport {
  private readonly filters = new Map<string, CompiledFilters>();
  /** Set by the host once the queue exists (forwards are re-queued). */
  queue: MailQueue | null = null;

  constructor(private readonly ctx: HostContext) {
    for (const user of ctx.config.users) this.filters.set(user.name, compileFilters(user.filters.map(toMailFilter)));
  }

  /** The user a local address belongs to; local parts match case-insensitively, as Postfix does. */
  userFor(address: string): UserConfig | null {
    const lower = address.toLowerCase();
    return this.ctx.config.users.find((user) => user.addresses.some((a) => a.toLowerCase() === lower)) ?? null;
  }

  storeOf(user: UserConfig): DeliverableMailStore {
    const ctx = this.ctx;
    return openUserMailStore(ctx.disk(), `mail/${user.name}`, {
      format: ctx.config.mailbox,
      user: user.name,
      clockMs: () => SIM_EPOCH_MS + ctx.sim.nowMs,
      hostName: ctx.name,
    });
  }

  /** True when the user's mailbox is already at or over its quota (RCPT answers 452 4.2.2 then). */
  overQuota(user: UserConfig, extraBytes: number): boolean {
    if (user.quotaBytes === null) return false;
    return mailboxBytes(this.storeOf(user)) + extraBytes > user.quotaBytes;
  }

  deliver(job: DeliveryJob, done: (results: RecipientResult[]) => void): void {
    const results: RecipientResult[] = [];
    let outstanding = job.recipients.length;
    const finishOne = (result: RecipientResult) => {
      results.push(result);
      if (--outstanding === 0) done(results);
    };
    for (const recipient of job.recipients) this.deliverOne(job, recipient.address, finishOne);
  }

  private deliverOne(job: DeliveryJob, address: string, done: (result: RecipientResult) => void): void {
    const ctx = this.ctx;
    const result = (fate: RecipientResult['fate'], status: string, diagnostic: string | null, success: RecipientResult['success'] = null): RecipientResult => ({
      address,
      fate,
      success,
      status,
      diagnostic,
      remoteMta: null,
    });
    const user = this.userFor(address);
    if (user === null) {
      done(result('failed', '5.1.1', `550 5.1.1 <${address}>: Recipient address rejected: User unknown in local recipient table`));
      return;
    }
    const decision = applyFilters(this.filters.get(user.name)!, filterMessage(job.message, { from: job.entry.from, to: address }));
    let folder = 'INBOX';
    if (decision.matched) {
      const action = decision.action;
      if (action === 'discard') {
        ctx.log.record({ kind: 'mail.discard', messageId: job.entry.messageId, to: address, reason: `discarded by filter ${decision.index + 1} of ${user.name}` });
        done(result('done', '2.0.0', null));
        return;
      }
      if (action === 'reject') {
        done(result('failed', '5.7.1', `550 5.7.1 <${address}>: rejected by the recipient's filter ${decision.index + 1}`));
        return;
      }
      if ('forward' in action) {
        // Re-queued with the original envelope sender (docs/reference.md §7.1), like a .forward file, to every
        // address the rule names (the engine's action carries the first; the rule has them all).
        const rule = user.filters[decision.index]?.action;
        const targets = rule?.kind === 'forward' ? rule.to : [action.forward];
        this.queue?.enqueue({
          messageId: job.entry.messageId,
          envelope: { from: job.entry.from, recipients: targets.map((target) => ({ address: target, dsn: { notify: null, orcpt: null } })), ...job.entry.params },
          message: job.message,
        });
        ctx.log.record({ kind: 'mail.accept', host: ctx.name, messageId: job.entry.messageId, to: targets, port: 0, from: job.entry.from });
        ctx.log.record({ kind: 'mail.discard', messageId: job.entry.messageId, to: address, reason: `forwarded to ${targets.join(', ')} by filter ${decision.index + 1} of ${user.name}` });
        done(result('done', '2.0.0', null));
        return;
      }
      folder = action.folder;
    }

    const store = this.storeOf(user);
    const bytes = setReturnPath(job.message, job.entry.from);
    if (user.quotaBytes !== null && mailboxBytes(store) + bytes.length > user.quotaBytes) {
      done(result('deferred', '4.2.2', `452 4.2.2 <${address}>: mailbox full (quota ${user.quotaBytes} bytes)`));
      return;
    }
    const delivery = store.beginDelivery(folder, bytes, { envelopeFrom: job.entry.from });
    if (delivery === null) {
      done(result('deferred', '4.2.0', `450 4.2.0 <${address}>: mailbox busy, try again later`));
      return;
    }
    // Each step is a timer of this boot (ctx.after): a crash between steps drops the rest, and the
    // disk keeps what was written.
    const step = () => {
      if (delivery.stepsLeft > 0) {
        delivery.step();
        ctx.after(deliveryStepMs, step);
        return;
      }
      delivery.commit();
      ctx.log.record({ kind: 'mail.deliver', messageId: job.entry.messageId, to: address, host: ctx.name, user: user.name, folder });
      done(result('done', '2.0.0', null, 'delivered'));
    };
    ctx.after(deliveryStepMs, step);
  }
}

function mailboxBytes(store: DeliverableMailStore): number {
  let total = 0;
  for (const name of store.folderNames()) {
    const folder = store.folder(name);
    if (folder !== null) for (const message of folder.messages()) total += message.size;
  }
  return total;
}

/** The scenario's normalised filter rule in the shape the filter engine takes. */
function toMailFilter(rule: FilterRule): MailFilter {
  const condition: MailFilter['if'] = {};
  if (rule.condition.header !== null) {
    condition.header = rule.condition.header.name;
    if (rule.condition.header.contains !== null) condition.contains = rule.condition.header.contains;
    if (rule.condition.header.matches !== null) condition.matches = rule.condition.header.matches.source;
  }
  if (rule.condition.from !== null) condition.from = rule.condition.from;
  if (rule.condition.to !== null) condition.to = rule.condition.to;
  if (rule.condition.sizeOverBytes !== null) condition.sizeOver = rule.condition.sizeOverBytes;
  const action = rule.action;
  switch (action.kind) {
    case 'folder':
      return makeFilter(condition, { folder: action.folder });
    case 'forward':
      return makeFilter(condition, { forward: action.to[0]! });
    case 'discard':
      return makeFilter(condition, 'discard');
    case 'reject':
      return makeFilter(condition, 'reject');
  }
}
