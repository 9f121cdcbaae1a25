/**
 * \Recent bookkeeping shared by every IMAP session of one server (RFC 3501 §2.3.2, docs/delivery.md I6): a
 * message is \Recent in exactly one session, the first to see it after it arrived — the first to
 * SELECT the mailbox, or a session that already had it selected and is told of the new message.
 * EXAMINE (read-only) and STATUS only count, they never claim (§6.3.2: no change to the mailbox).
 *
 * The registry remembers, per (user, mailbox, UIDVALIDITY), the highest UID already claimed; every
 * UID above it is unclaimed. The owner creates one registry per server and passes it to each session.
 */

/** Mailboxes remembered; the oldest is forgotten past this (its messages then count as recent again). */
export const RECENT_MAILBOXES_MAX = 100_000;

export class RecentRegistry {
  private readonly claimedUpTo = new Map<string, number>();

  private key(user: string, mailbox: string, uidValidity: number): string {
    return `${user}\u0000${mailbox.toUpperCase() === 'INBOX' ? 'INBOX' : mailbox}\u0000${uidValidity}`;
  }

  /** The UIDs among `uids` nobody has claimed yet (without claiming them). */
  unclaimed(user: string, mailbox: string, uidValidity: number, uids: readonly number[]): number[] {
    const upTo = this.claimedUpTo.get(this.key(user, mailbox, uidValidity)) ?? 0;
    return uids.filter((uid) => uid > upTo);
  }

  /** Claims the unclaimed UIDs among `uids` for the caller and returns them. */
  claim(user: string, mailbox: string, uidValidity: number, uids: readonly number[]): number[] {
    const key = this.key(user, mailbox, uidValidity);
    const upTo = this.claimedUpTo.get(key) ?? 0;
    const fresh = uids.filter((uid) => uid > upTo);
    if (fresh.length === 0) return fresh;
    this.claimedUpTo.delete(key);
    if (this.claimedUpTo.size >= RECENT_MAILBOXES_MAX) {
      const oldest = this.claimedUpTo.keys().next().value;
      if (oldest !== undefined) this.claimedUpTo.delete(oldest);
    }
    this.claimedUpTo.set(key, fresh.reduce((a, b) => (Math.max(a , b)), upTo));
    return fresh;
  }
}
