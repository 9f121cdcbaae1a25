/**
 * The captured mail the HTTP API shows: every message in every folder of every user's mailbox of the
 * serve host — the same store the MDA delivers into and POP3/IMAP read (src/store/mailstore.ts), in
 * memory or under `--maildir`. Nothing is copied: the API reads the store, so nothing stored is lost
 * and intake goes on while the API is used.
 *
 * Theory of operation. A message's API id names its place: user, folder, UIDVALIDITY and UID
 * (RFC 3501 §2.3.1.1: a UID is never reused while UIDVALIDITY stays), base64url-encoded so it is one
 * opaque path segment as Mailpit's ids are. Every call that reads or changes the store runs inside the
 * host's clock pulse (src/bridge/clock.ts), as a socket event does, so the host's due work runs first
 * and what the change causes runs after. Folders are watched (`Folder.watch`) so the event stream and
 * the blocking wait hear of a message the moment it is committed; a folder made later (a filter's
 * "Junk") is watched from the delivery that made it (`mail.deliver`, src/mail/log.ts observers).
 * As a message lands, the queue id of the Received field serve added is read and kept beside it: it
 * names its SMTP session's transcript (src/bridge/transcripts.ts, claimed while the message is
 * stored). Its summary, by the cheap header scan (header-scan.ts), is made the first time a listing or
 * an event needs it and kept too, so intake with nobody asking pays only for the Received field (the
 * bench's "intake with the API on"); an expunge drops both.
 */
import type { ServeHost } from '../bridge/serve-host.js';
import type { MessageTranscript, SmtpTranscripts } from '../bridge/transcripts.js';
import type { UserConfig } from '../nodes/config.js';
import type { Folder, MessageInfo } from '../store/mailstore.js';
import { firstReceived, type MessageSummary, scanSummary } from './header-scan.js';

/** What is kept beside a stored message: its summary (null: only the full parse can tell) and session. */
interface Kept {
  /** Made by the first listing or event that needs it (undefined until then): intake does not pay for it. */
  summary?: MessageSummary | null;
  /** The queue id serve gave it (its transcript's key), or null when serve did not receive it by SMTP. */
  readonly queueId: string | null;
}

/** One stored message, located; its id is made only when asked for (a listing needs a page of them). */
export class StoredRef {
  private encoded: string | null = null;

  constructor(
    readonly user: string,
    readonly folder: string,
    readonly uidValidity: number,
    readonly uid: number,
    readonly info: MessageInfo,
  ) {}

  get id(): string {
    this.encoded ??= encodeId(this.user, this.folder, this.uidValidity, this.uid);
    return this.encoded;
  }
}

export const seenFlag = '\\Seen';

function placeKey(user: string, folder: string, uidValidity: number, uid: number): string {
  return `${user}\n${folder}\n${uidValidity}\n${uid}`;
}

export function encodeId(user: string, folder: string, uidValidity: number, uid: number): string {
  return Buffer.from(`${user}\n${folder}\n${uidValidity}\n${uid}`, 'utf8').toString('base64url');
}

function decodeId(id: string): { user: string; folder: string; uidValidity: number; uid: number } | null {
  const parts = Buffer.from(id, 'base64url').toString('utf8').split('\n');
  if (parts.length !== 4) return null;
  const [user, folder, validity, uid] = parts as [string, string, string, string];
  if (!/^\d+$/.test(validity) || !/^\d+$/.test(uid)) return null;
  return { user, folder, uidValidity: Number(validity), uid: Number(uid) };
}

export class CapturedMail {
  private readonly watched = new WeakSet<Folder>();
  /** `user\nfolder` of every folder watched: a delivery into one of them costs no store lookup. */
  private readonly watchedNames = new Set<string>();
  private readonly listeners = new Set<(ref: StoredRef) => void>();
  /** By `placeKey`. */
  private readonly kept = new Map<string, Kept>();
  private readonly transcripts: SmtpTranscripts;

  constructor(private readonly host: ServeHost) {
    this.transcripts = host.recordTranscripts();
    this.inPulse(() => this.watchFolders());
    // A folder a filter made for this very delivery was not watched when the message landed in it.
    host.log.observe((event) => {
      if (event.kind === 'mail.deliver' && event.host === host.name) this.watchNewFolder(event.user, event.folder);
    });
  }

  /** Every stored message, newest first (internal date, then UID), as Mailpit lists them. */
  all(): StoredRef[] {
    return this.inPulse(() => {
      const refs: StoredRef[] = [];
      for (const { user, folder } of this.folders()) {
        for (const info of folder.messages()) refs.push(this.refOf(user.name, folder, info));
      }
      return refs.sort((a, b) => b.info.internalDateMs - a.info.internalDateMs || b.uid - a.uid);
    });
  }

  /** The message an id names (`latest`: the newest), or null when it is not (or no longer) stored. */
  find(id: string): StoredRef | null {
    if (id === 'latest') return this.all()[0] ?? null;
    const place = decodeId(id);
    if (place === null) return null;
    return this.inPulse(() => {
      const folder = this.folderOf(place.user, place.folder);
      if (folder === null || folder.uidValidity !== place.uidValidity) return null;
      const info = folder.info(place.uid);
      return info === undefined ? null : this.refOf(place.user, folder, info);
    });
  }

  /** The message's bytes as stored (CRLF line ends). */
  read(ref: StoredRef): Uint8Array {
    return this.inPulse(() => this.folderOf(ref.user, ref.folder)?.read(ref.uid) ?? new Uint8Array());
  }

  /** Sets or clears \Seen (Mailpit's read status, IMAP's \Seen: RFC 3501 §2.3.2). */
  setRead(refs: readonly StoredRef[], read: boolean): void {
    this.inPulse(() => {
      for (const ref of refs) {
        const folder = this.folderOf(ref.user, ref.folder);
        const info = folder?.info(ref.uid);
        if (folder === null || folder === undefined || info === undefined || info.flags.includes(seenFlag) === read) continue;
        folder.setFlags(ref.uid, read ? [...info.flags, seenFlag] : info.flags.filter((flag) => flag !== seenFlag));
      }
    });
  }

  /** Expunges the messages (RFC 3501 §6.4.3 semantics: gone for every reader). */
  delete(refs: readonly StoredRef[]): void {
    this.inPulse(() => {
      const byFolder = new Map<string, { user: string; folder: string; uids: number[] }>();
      for (const ref of refs) {
        const key = `${ref.user}\n${ref.folder}`;
        const entry = byFolder.get(key) ?? { user: ref.user, folder: ref.folder, uids: [] };
        entry.uids.push(ref.uid);
        byFolder.set(key, entry);
      }
      for (const entry of byFolder.values()) this.folderOf(entry.user, entry.folder)?.expunge(entry.uids);
    });
  }

  /** The message's summary by the cheap scan (made as it landed, or now), null when only the full parse can tell. */
  summary(ref: StoredRef): MessageSummary | null {
    const kept = this.keptOf(ref);
    kept.summary ??= scanSummary(this.read(ref));
    return kept.summary;
  }

  /** The transcript of the SMTP session that delivered the message, up to its own dot, or null. */
  transcript(ref: StoredRef): MessageTranscript | null {
    const { queueId } = this.keptOf(ref);
    return queueId === null ? null : this.transcripts.of(queueId);
  }

  private keptOf(ref: StoredRef): Kept {
    const key = placeKey(ref.user, ref.folder, ref.uidValidity, ref.uid);
    let kept = this.kept.get(key);
    if (kept === undefined) {
      kept = { queueId: this.queueIdOf(this.read(ref)) };
      this.kept.set(key, kept);
    }
    return kept;
  }

  /** The queue id in the message's first Received field, when this host wrote it. */
  private queueIdOf(bytes: Uint8Array): string | null {
    const received = firstReceived(bytes);
    // formatReceivedValue (src/nodes/mail/received.ts): "… by HOST with PROTOCOL id QUEUE-ID …".
    const match = received === null ? null : /\bby\s+(\S+)\s+with\s+\S+\s+id\s+([^\s;]+)/.exec(received);
    return match !== null && match[1]!.toLowerCase() === this.host.name.toLowerCase() ? match[2]! : null;
  }

  /** Claims what landed's transcript (in the store's callback: the bytes are at hand); its summary waits until asked for. */
  private landed(user: string, folder: Folder, uids: readonly number[]): void {
    for (const uid of uids) {
      const kept: Kept = { queueId: this.queueIdOf(folder.read(uid)) };
      this.kept.set(placeKey(user, folder.name, folder.uidValidity, uid), kept);
      if (kept.queueId !== null) this.transcripts.claim(kept.queueId);
    }
  }

  private gone(user: string, folder: Folder, uids: readonly number[]): void {
    for (const uid of uids) {
      const key = placeKey(user, folder.name, folder.uidValidity, uid);
      const queueId = this.kept.get(key)?.queueId ?? null;
      this.kept.delete(key);
      if (queueId !== null) this.transcripts.release(queueId);
    }
  }

  /** Hears every message appended from now on; returns the function that stops listening. */
  onStored(listener: (ref: StoredRef) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private refOf(user: string, folder: Folder, info: MessageInfo): StoredRef {
    return new StoredRef(user, folder.name, folder.uidValidity, info.uid, info);
  }

  private *folders(): Generator<{ user: UserConfig; folder: Folder }> {
    const local = this.host.local;
    if (local === null) return;
    for (const user of this.host.config.users) {
      const store = local.storeOf(user);
      for (const name of store.folderNames()) {
        const folder = store.folder(name);
        if (folder !== null) yield { user, folder };
      }
    }
  }

  private folderOf(userName: string, folderName: string): Folder | null {
    const user = this.host.config.users.find((candidate) => candidate.name === userName);
    if (user === undefined || this.host.local === null) return null;
    return this.host.local.storeOf(user).folder(folderName);
  }

  private watchFolders(): void {
    for (const { user, folder } of this.folders()) {
      if (this.watched.has(folder)) continue;
      this.watched.add(folder);
      this.watchedNames.add(`${user.name}\n${folder.name}`);
      folder.watch((change) => {
        if (change.kind === 'appended') {
          this.landed(user.name, folder, change.uids);
          this.announce(user.name, folder, change.uids);
        } else if (change.kind === 'expunged') this.gone(user.name, folder, change.uids);
      });
    }
  }

  private watchNewFolder(userName: string, folderName: string): void {
    if (this.watchedNames.has(`${userName}\n${folderName}`)) return;
    const folder = this.folderOf(userName, folderName);
    if (folder === null || this.watched.has(folder)) return;
    this.watchFolders();
    const newest = folder.messages().at(-1);
    if (newest === undefined) return;
    this.landed(userName, folder, [newest.uid]);
    this.announce(userName, folder, [newest.uid]);
  }

  private announce(user: string, folder: Folder, uids: readonly number[]): void {
    if (this.listeners.size === 0) return;
    for (const uid of uids) {
      const info = folder.info(uid);
      if (info === undefined) continue;
      const ref = this.refOf(user, folder, info);
      for (const listener of this.listeners) listener(ref);
    }
  }

  private inPulse<T>(fn: () => T): T {
    let result: T | undefined;
    let ran = false;
    this.host.clock.pulse(() => {
      result = fn();
      ran = true;
    });
    // After shutdown the clock no longer pulses: read what is there without running the host.
    return ran ? (result as T) : fn();
  }
}
