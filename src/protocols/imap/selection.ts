/**
 * One session's view of its selected mailbox (RFC 3501 §2.3.1.2, §5.2, §7.3.1, §7.4.1; docs/delivery.md
 * I3, I4, I6).
 *
 * Sequence numbers are this session's: `uids[seq - 1]`. Changes made by other sessions arrive through
 * the store's `watch` at any time, but the view changes only when the session tells its client:
 * EXISTS for new messages, EXPUNGE (which renumbers, I4) for removed ones, FETCH FLAGS for flag changes.
 * Until then an expunged message keeps its sequence number and stays readable (RFC 2180 §4.1.1, as
 * Dovecot does): the selection keeps its last state (`ghosts`, from the store's `expunged` change), so
 * FETCH and SEARCH see it as it was, and a STORE or a FETCH that sets \Seen changes only this
 * session's copy, which goes when the EXPUNGE is sent. EXPUNGE responses are held
 * back while a FETCH, STORE or SEARCH runs (RFC 3501 §7.4.1) — the caller says when they are allowed.
 *
 * A keyword new to the mailbox — set by this session or another — is announced with FLAGS and
 * PERMANENTFLAGS before the next completion (RFC 9051 §7.3.5, §7.1; RFC 3501 §7.2.6), as Dovecot does; the
 * list only grows while the mailbox is selected.
 *
 * The session's own STORE and EXPUNGE answer for themselves, so the watch ignores them while
 * `ownChange` is set; its own appends (COPY/APPEND into this mailbox) are announced like any other.
 */
import type { ExpungedMessage, Folder, FolderChange, MessageInfo } from '../../store/mailstore.js';
import { RECENT_FLAG } from './flags.js';

/** RFC 3501 §2.3.2 system flags as FLAGS lists them (\Recent is never set by a client). */
const SYSTEM_FLAGS_LISTED = ['\\Answered', '\\Flagged', '\\Deleted', '\\Seen', '\\Draft'];
import type { RecentRegistry } from './recent.js';

export class Selection {
  /** Sequence number − 1 → UID, ascending (I4). */
  readonly uids: number[];
  /** UIDs that are \Recent in this session (I6). */
  readonly recent = new Set<number>();
  private readonly pendingAppended: number[] = [];
  private readonly pendingExpunged = new Set<number>();
  private readonly pendingFlags = new Set<number>();
  /** Messages expunged elsewhere that this session has not yet announced, as they were (RFC 2180 §4.1.1). */
  private readonly ghosts = new Map<number, ExpungedMessage>();
  /** Keywords the client was told of in FLAGS, lower case → spelling (RFC 3501 §2.3.2: case-insensitive). */
  private readonly keywords = new Map<string, string>();
  /** A change since the keywords were last gathered: one may be new. */
  private keywordsStale = true;
  private readonly stopWatching: () => void;
  private ownChange = false;

  constructor(
    readonly folder: Folder,
    readonly name: string,
    readonly readOnly: boolean,
    private readonly user: string,
    private readonly recentRegistry: RecentRegistry,
    /** Called after a change from elsewhere was recorded (IDLE sends it at once). */
    private readonly onChange: () => void,
  ) {
    this.uids = folder.messages().map((m) => m.uid);
    for (const uid of this.takeRecent(this.uids)) this.recent.add(uid);
    this.stopWatching = folder.watch((change) => this.record(change));
  }

  /** EXAMINE counts \Recent without claiming it (RFC 3501 §6.3.2). */
  private takeRecent(uids: readonly number[]): number[] {
    const { folder } = this;
    return this.readOnly
      ? this.recentRegistry.unclaimed(this.user, this.name, folder.uidValidity, uids)
      : this.recentRegistry.claim(this.user, this.name, folder.uidValidity, uids);
  }

  private record(change: FolderChange): void {
    this.keywordsStale = true;
    if (change.kind === 'appended') {
      this.pendingAppended.push(...change.uids);
      for (const uid of this.takeRecent(change.uids)) this.recent.add(uid);
    } else if (this.ownChange) {
      return;
    } else if (change.kind === 'expunged') {
      for (const uid of change.uids) this.pendingExpunged.add(uid);
      for (const message of change.removed) if (this.uids.includes(message.info.uid)) this.ghosts.set(message.info.uid, message);
    } else {
      this.pendingFlags.add(change.uid);
    }
    this.onChange();
  }

  close(): void {
    this.stopWatching();
  }

  /** Runs a change of the session's own (STORE, EXPUNGE) without echoing it back as an update. */
  own<T>(action: () => T): T {
    this.ownChange = true;
    try {
      return action();
    } finally {
      this.ownChange = false;
    }
  }

  /**
   * `* FLAGS` and `* OK [PERMANENTFLAGS]` (RFC 9051 §7.3.5, §7.1): at SELECT (`always`), and afterwards
   * when a message carries a keyword this session has not listed yet. PERMANENTFLAGS lists the keywords
   * too and `\*` (any new one may be made), or nothing when read-only, as Dovecot's do.
   */
  flagsLines(always: boolean): string[] {
    if (!this.keywordsStale && !always) return [];
    this.keywordsStale = false;
    let added = false;
    for (const info of this.snapshot().values()) {
      for (const flag of info.flags) {
        if (flag.startsWith('\\') || this.keywords.has(flag.toLowerCase())) continue;
        this.keywords.set(flag.toLowerCase(), flag);
        added = true;
      }
    }
    if (!added && !always) return [];
    const keywords = [...this.keywords.values()];
    const permanent = this.readOnly ? '' : [...SYSTEM_FLAGS_LISTED, ...keywords, '\\*'].join(' ');
    return [`* FLAGS (${[...SYSTEM_FLAGS_LISTED, ...keywords].join(' ')})`, `* OK [PERMANENTFLAGS (${permanent})] Flags permitted`];
  }

  /** The store's messages by UID, and those expunged elsewhere but not yet announced (one snapshot per command). */
  snapshot(): Map<number, MessageInfo> {
    const infos = new Map(this.folder.messages().map((m) => [m.uid, m]));
    for (const [uid, ghost] of this.ghosts) infos.set(uid, ghost.info);
    return infos;
  }

  /** True when another session expunged the message and this one has not said so yet. */
  isGhost(uid: number): boolean {
    return this.ghosts.has(uid);
  }

  /** A message's bytes, from the store or, if expunged elsewhere and not yet announced, as they were. */
  read(uid: number): Uint8Array {
    return this.ghosts.get(uid)?.bytes ?? this.folder.read(uid);
  }

  /** Sets a message's flags as this session's own change; on a ghost only this session's copy changes. */
  setFlags(uid: number, flags: readonly string[]): void {
    const ghost = this.ghosts.get(uid);
    if (ghost) this.ghosts.set(uid, { ...ghost, info: { ...ghost.info, flags } });
    else this.own(() => this.folder.setFlags(uid, flags));
  }

  /** Flags as this session shows them: stored flags plus \Recent when it holds it. */
  displayFlags(info: MessageInfo): string[] {
    return this.recent.has(info.uid) ? [...info.flags, RECENT_FLAG] : [...info.flags];
  }

  /** Removes `uid` from the view and returns the `* n EXPUNGE` line (I4: later numbers shift down). */
  private expungeFromView(uid: number): string | null {
    const index = this.uids.indexOf(uid);
    if (index === -1) return null;
    this.uids.splice(index, 1);
    this.recent.delete(uid);
    this.pendingFlags.delete(uid);
    this.ghosts.delete(uid);
    return `* ${index + 1} EXPUNGE`;
  }

  /** Expunges the session's own messages and returns the EXPUNGE lines, ascending. */
  expungeOwn(uids: readonly number[]): string[] {
    this.own(() => this.folder.expunge(uids));
    const lines: string[] = [];
    for (const uid of uids) {
      const line = this.expungeFromView(uid);
      if (line) lines.push(line);
    }
    return lines;
  }

  /**
   * The untagged lines that bring the client up to date (RFC 3501 §7.3.1 EXISTS/RECENT, §7.4.1 EXPUNGE,
   * §7.4.2 FETCH FLAGS); EXPUNGE only when `allowExpunge`.
   */
  takeUpdates(allowExpunge: boolean): string[] {
    const lines: string[] = [];
    if (allowExpunge && this.pendingExpunged.size > 0) {
      const gone = this.uids.filter((uid) => this.pendingExpunged.has(uid));
      for (const uid of gone) {
        const line = this.expungeFromView(uid);
        if (line) lines.push(line);
      }
      // A message both added and removed since the last update is never shown (nor announced).
      for (const uid of this.pendingExpunged) {
        const i = this.pendingAppended.indexOf(uid);
        if (i !== -1) this.pendingAppended.splice(i, 1);
      }
      this.pendingExpunged.clear();
    }
    if (this.pendingAppended.length > 0) {
      const last = this.uids[this.uids.length - 1] ?? 0;
      // One already expunged is never shown, even while EXPUNGE may not be sent (a STORE or FETCH runs):
      // shown, it would be in the view with neither the store nor a ghost holding it.
      const fresh = this.pendingAppended.filter((uid) => uid > last && !this.pendingExpunged.has(uid)).sort((a, b) => a - b);
      this.pendingAppended.length = 0;
      if (fresh.length > 0) {
        this.uids.push(...fresh);
        lines.push(`* ${this.uids.length} EXISTS`);
        lines.push(`* ${this.uids.filter((uid) => this.recent.has(uid)).length} RECENT`);
      }
    }
    lines.push(...this.flagsLines(false));
    if (this.pendingFlags.size > 0) {
      const infos = this.snapshot();
      for (const [index, uid] of this.uids.entries()) {
        if (!this.pendingFlags.has(uid) || this.pendingExpunged.has(uid)) continue;
        const info = infos.get(uid);
        if (info) lines.push(`* ${index + 1} FETCH (FLAGS (${this.displayFlags(info).join(' ')}))`);
      }
      this.pendingFlags.clear();
    }
    return lines;
  }
}
