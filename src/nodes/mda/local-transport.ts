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
import { type FilterRule, isFinalDestination, type UserConfig } from '../config.js';
import { domainOf } from '../../mail/address.js';
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

  /** A capturing catch-all files one copy per message for all its captured recipients (`deliveryGroups`), so it takes them in one job. */
  get takesAllLocalRecipients(): boolean {
    return this.ctx.config.catchAll?.anyDomain === true;
  }

  /**
   * The user a local address belongs to; local parts match case-insensitively, as Postfix does. An
   * address that is no user's goes to the `catch-all` user when there is one (docs/reference.md §5).
   */
  userFor(address: string): UserConfig | null {
    const config = this.ctx.config;
    const own = this.ownerOf(address);
    if (own !== null || config.catchAll === null) return own;
    if (!isFinalDestination(config, domainOf(address))) return null;
    const catchAll = config.catchAll.user;
    return config.users.find((user) => user.name === catchAll) ?? null;
  }

  /** The user whose own address this is (no catch-all). */
  private ownerOf(address: string): UserConfig | null {
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
    for (const group of this.deliveryGroups(job)) this.deliverOne(job, group, finishOne);
  }

  /**
   * The recipients one delivery serves: each its own, except under a capturing catch-all (`any-domain`),
   * where every recipient that is no user's own address shares one copy in the catch-all mailbox — a
   * capture server keeps one message per transaction, as Mailpit does.
   */
  private deliveryGroups(job: DeliveryJob): string[][] {
    const addresses = job.recipients.map((recipient) => recipient.address);
    const catchAll = this.ctx.config.catchAll;
    if (catchAll?.anyDomain !== true || addresses.length < 2) return addresses.map((address) => [address]);
    const own = (address: string) => this.ownerOf(address) !== null;
    const captured = addresses.filter((address) => !own(address));
    const groups = addresses.filter(own).map((address) => [address]);
    return captured.length === 0 ? groups : [...groups, captured];
  }

  /** Files one copy for `addresses` (the first decides the user and filters); `done` hears each address's result. */
  private deliverOne(job: DeliveryJob, addresses: readonly string[], done: (result: RecipientResult) => void): void {
    const ctx = this.ctx;
    const address = addresses[0]!;
    /** Every address's result; a diagnostic names each address itself. */
    const each = (fate: RecipientResult['fate'], status: string, diagnostic: ((to: string) => string) | null, success: RecipientResult['success'] = null) => {
      for (const one of addresses) done({ address: one, fate, success, status, diagnostic: diagnostic?.(one) ?? null, remoteMta: null });
    };
    const user = this.userFor(address);
    if (user === null) {
      each('failed', '5.1.1', (to) => `550 5.1.1 <${to}>: Recipient address rejected: User unknown in local recipient table`);
      return;
    }
    const decision = applyFilters(this.filters.get(user.name)!, filterMessage(job.message, { from: job.entry.from, to: address }));
    let folder = 'INBOX';
    if (decision.matched) {
      const action = decision.action;
      if (action === 'discard') {
        for (const one of addresses) ctx.log.record({ kind: 'mail.discard', messageId: job.entry.messageId, to: one, reason: `discarded by filter ${decision.index + 1} of ${user.name}` });
        each('done', '2.0.0', null);
        return;
      }
      if (action === 'reject') {
        each('failed', '5.7.1', (to) => `550 5.7.1 <${to}>: rejected by the recipient's filter ${decision.index + 1}`);
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
        for (const one of addresses) ctx.log.record({ kind: 'mail.discard', messageId: job.entry.messageId, to: one, reason: `forwarded to ${targets.join(', ')} by filter ${decision.index + 1} of ${user.name}` });
        each('done', '2.0.0', null);
        return;
      }
      folder = action.folder;
    }

    const store = this.storeOf(user);
    const bytes = setReturnPath(job.message, job.entry.from);
    if (user.quotaBytes !== null && mailboxBytes(store) + bytes.length > user.quotaBytes) {
      each('deferred', '4.2.2', (to) => `452 4.2.2 <${to}>: mailbox full (quota ${user.quotaBytes} bytes)`);
      return;
    }
    const delivery = store.beginDelivery(folder, bytes, { envelopeFrom: job.entry.from });
    if (delivery === null) {
      each('deferred', '4.2.0', (to) => `450 4.2.0 <${to}>: mailbox busy, try again later`);
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
      for (const one of addresses) ctx.log.record({ kind: 'mail.deliver', messageId: job.entry.messageId, to: one, host: ctx.name, user: user.name, folder });
      each('done', '2.0.0', null, 'delivered');
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
