/**
 * A Maildir folder (docs/delivery.md W1; the maildir(5) man page; Maildir++ for folders; Dovecot's
 * dovecot-uidlist for UIDs).
 *
 * Layout of one folder directory (the store root for INBOX, `ROOT/.Name` for others, Maildir++):
 *   tmp/NAME                      a delivery being written (an orphan here after a crash: never visible)
 *   new/NAME                      delivered, not yet seen by a reader
 *   cur/NAME:2,FLAGS              seen by a reader; FLAGS are the letters D F R S T, ASCII-sorted
 *                                 (\Draft \Flagged \Answered \Seen \Deleted)
 *   mailsim-uidlist               UIDVALIDITY, UIDNEXT and one line per message: uid, internal date,
 *                                 keywords, base name (RFC 3501 §2.3.1.1; docs/delivery.md I3, P5)
 *                                 A delivery appends its line (as Dovecot appends to dovecot-uidlist),
 *                                 so delivering n messages costs O(n), not O(n²); the header's UIDNEXT
 *                                 is then behind and a reader takes max(UIDNEXT, highest uid + 1). A
 *                                 later line for the same base name wins. Flag-keyword changes and
 *                                 expunges rewrite the whole file, which also compacts it.
 *   maildirfolder                 the Maildir++ marker of a sub-folder
 *
 * Delivery is two disk steps: write tmp/NAME (begin), rename it into new/ (commit) — that rename is the
 * instant of delivery. A crash before it leaves a tmp orphan and nothing visible (the MTA retries);
 * after it the message is there, even if the uidlist was not yet updated: opening the folder scans
 * new/ and cur/ and gives every file the uidlist does not know the next UID, in name order (as Dovecot
 * does), and forgets uidlist lines whose file is gone. So every file in new/ or cur/ is a complete
 * message, and UIDs are never reused because UIDNEXT only grows.
 *
 * NAME is unique and deterministic, after the maildir(5) recipe time.M<usec>P<pid>Q<n>.host with the
 * virtual clock in place of the wall clock and a per-store counter in place of the pid:
 *   <seconds>.M<microseconds>Q<counter>.<host>,S=<size on disk>,W=<size with CRLF>
 * (S= and W= as Dovecot writes them, so a reader needs not open the file to know RFC822.SIZE). Files
 * hold LF line ends; the view holds CRLF (lineEnds.ts).
 */
import type { Disk } from './disk.js';
import { joinPath } from './disk.js';
import { type Delivery, FolderBase, type FolderContext, type MessageRecord, type WriteOptions } from './folderBase.js';
import { crlfToLf, lfToCrlf, normalizeMessage } from './lineEnds.js';

export const UIDLIST_FILE = 'mailsim-uidlist';
export const MAILDIRFOLDER_FILE = 'maildirfolder';
/** Attempts to find an unused delivery name before giving up (a bug: the counter makes names unique). */
const UNIQUE_NAME_ATTEMPTS_MAX = 1000;

const FLAG_LETTERS: ReadonlyArray<[string, string]> = [
  ['D', '\\Draft'],
  ['F', '\\Flagged'],
  ['R', '\\Answered'],
  ['S', '\\Seen'],
  ['T', '\\Deleted'],
];
const flagByLetter = new Map(FLAG_LETTERS);
const letterByFlag = new Map(FLAG_LETTERS.map(([letter, flag]) => [flag, letter]));

const encoder = new TextEncoder();
const decoder = new TextDecoder();

interface MaildirFile {
  basename: string;
  /** Where the file is now, relative to the folder ("new/NAME" or "cur/NAME:2,FLAGS"). */
  currentPath: string;
  /** Keywords are kept in the uidlist, system flags in the file name. */
  keywords: readonly string[];
}

/**
 * What the index keeps beside a message (message-index.ts): while its file is in new/ without keywords
 * (how every delivery starts), the file's disk path alone — the very string the disk keeps as the
 * file's key, so it costs nothing more (issue 21: no object and no name string for each of a million
 * messages); else a `MaildirFile`.
 */
type IndexedFile = string | MaildirFile;

/** The keywords and flags of most messages: none. One frozen list for all (issue 21: a million messages). */
const none: readonly string[] = Object.freeze([]);

interface UidlistLine {
  uid: number;
  internalDateMs: number | null;
  keywords: string[];
}

/** The per-store counter for unique names; shared by the folders of one store object. */
export interface UniqueNameSource {
  next(): number;
}

/** Creates the directories of a Maildir folder (idempotent). */
export function createMaildirFolder(disk: Disk, dir: string, isSubfolder: boolean): void {
  for (const sub of ['tmp', 'new', 'cur']) disk.mkdir(joinPath(dir, sub));
  if (isSubfolder && !disk.exists(joinPath(dir, MAILDIRFOLDER_FILE))) disk.write(joinPath(dir, MAILDIRFOLDER_FILE), new Uint8Array());
}

function flagLetters(flags: readonly string[]): string {
  return flags
    .map((flag) => letterByFlag.get(flag))
    .filter((letter): letter is string => letter !== undefined)
    .sort()
    .join('');
}

/** "1767225600.M0Q1.host,S=10,W=12:2,RS" → its base name and flags. Unknown letters are ignored. */
function parseFileName(fileName: string): { basename: string; flags: string[] } {
  const colon = fileName.indexOf(':');
  if (colon < 0) return { basename: fileName, flags: [] };
  const info = fileName.slice(colon + 1);
  const flags = info.startsWith('2,')
    ? [...info.slice(2)].map((letter) => flagByLetter.get(letter)).filter((flag): flag is string => flag !== undefined)
    : [];
  return { basename: fileName.slice(0, colon), flags };
}

/** The time a delivery name carries ("<sec>.M<usec>…"), or null for a foreign name. */
function timeFromName(basename: string): number | null {
  const match = /^(\d+)\.M(\d+)/.exec(basename);
  return match ? Number(match[1]) * 1000 + Math.floor(Number(match[2]) / 1000) : null;
}

function crlfSizeFromName(basename: string): number | null {
  const match = /,W=(\d+)/.exec(basename);
  return match ? Number(match[1]) : null;
}

/** The host part of a name: "/" and ":" escaped as maildir(5) says. */
function safeHost(hostName: string): string {
  return hostName.replaceAll('/', '\\057').replaceAll(':', '\\072').replaceAll('\n', '') || 'localhost';
}

export class MaildirFolder extends FolderBase<IndexedFile> {
  /** The disk path of new/ with a trailing slash: what an `IndexedFile` string starts with. */
  private readonly newPrefix: string;
  /**
   * The base names of the files found when the folder was opened, so picking a unique delivery name
   * does not scan every message. A name this object picks itself is never picked again (the store's
   * counter only grows), so its own deliveries need not be added.
   */
  private readonly basenames = new Set<string>();

  constructor(
    name: string,
    private readonly disk: Disk,
    private readonly dir: string,
    private readonly context: FolderContext,
    private readonly names: UniqueNameSource,
  ) {
    super(name);
    this.newPrefix = `${this.path('new')}/`;
    this.load();
  }

  private fileOf(indexed: IndexedFile): MaildirFile {
    if (typeof indexed !== 'string') return indexed;
    const basename = indexed.slice(this.newPrefix.length);
    return { basename, currentPath: `new/${basename}`, keywords: none };
  }

  private indexed(file: MaildirFile): IndexedFile {
    return file.keywords.length === 0 && file.currentPath === `new/${file.basename}` ? this.path(file.currentPath) : file;
  }

  /** Where the folder lives on disk (for renames by the store). */
  get directory(): string {
    return this.dir;
  }

  private path(...parts: string[]): string {
    return joinPath(this.dir, ...parts);
  }

  /** The name a message with these flags has in cur/. */
  private curPath(basename: string, flags: readonly string[]): string {
    return `cur/${basename}:2,${flagLetters(flags)}`;
  }

  /** Scans new/ and cur/, reconciles with the uidlist, assigns UIDs to unknown files (see the top). */
  private load(): void {
    const uidlist = this.readUidlist();
    let changed = uidlist === null;
    if (uidlist === null) {
      this.validity = this.context.allocateUidValidity();
      this.next = 1;
    } else {
      this.validity = uidlist.validity;
      this.next = uidlist.next;
    }
    const known = uidlist?.lines ?? new Map<string, UidlistLine>();
    const found: Array<{ basename: string; currentPath: string; flags: string[] }> = [];
    const seen = new Set<string>();
    for (const sub of ['new', 'cur'] as const) {
      for (const entry of this.disk.list(this.path(sub))) {
        if (entry.isDir || entry.name.startsWith('.')) continue;
        const parsed = parseFileName(entry.name);
        if (seen.has(parsed.basename)) continue;
        seen.add(parsed.basename);
        found.push({ ...parsed, currentPath: `${sub}/${entry.name}` });
      }
    }
    const records: MessageRecord[] = [];
    const files = new Map<number, IndexedFile>();
    const unknown = found.filter((file) => !known.has(file.basename)).sort((a, b) => (a.basename < b.basename ? -1 : 1));
    if (unknown.length > 0 || known.size !== found.length - unknown.length) changed = true;
    const adopt = (file: (typeof found)[number], uid: number, line: UidlistLine | null) => {
      const keywords = line?.keywords ?? [];
      files.set(uid, this.indexed({ basename: file.basename, currentPath: file.currentPath, keywords }));
      this.basenames.add(file.basename);
      records.push({
        uid,
        flags: [...file.flags, ...keywords].sort(),
        internalDateMs: line?.internalDateMs ?? timeFromName(file.basename) ?? this.context.clockMs(),
        size: crlfSizeFromName(file.basename) ?? lfToCrlf(this.disk.read(this.path(file.currentPath)) ?? new Uint8Array()).length,
      });
    };
    for (const file of found) {
      const line = known.get(file.basename);
      if (line) adopt(file, line.uid, line);
    }
    for (const file of unknown) adopt(file, this.next++, null);
    this.loadRecords(records, (uid) => files.get(uid)!);
    if (changed) this.writeUidlist();
  }

  private readUidlist(): { validity: number; next: number; lines: Map<string, UidlistLine> } | null {
    const bytes = this.disk.read(this.path(UIDLIST_FILE));
    if (!bytes) return null;
    const text = decoder.decode(bytes).split('\n');
    const header = /^mailsim-uidlist 1 V(\d+) N(\d+)$/.exec(text[0] ?? '');
    if (!header) return null; // unreadable: rebuilt with a new UIDVALIDITY, as RFC 3501 §2.3.1.1 allows
    const lines = new Map<string, UidlistLine>();
    let next = Number(header[2]);
    for (const line of text.slice(1)) {
      const match = /^(\d+) (.*?) ?:(.+)$/.exec(line);
      if (!match) continue;
      const uid = Number(match[1]);
      let internalDateMs: number | null = null;
      const keywords: string[] = [];
      for (const field of match[2]!.split(' ')) {
        if (field.startsWith('T')) internalDateMs = Number(field.slice(1));
        else if (field.startsWith('K')) keywords.push(field.slice(1));
      }
      lines.set(match[3]!, { uid, internalDateMs, keywords });
      next = Math.max(next, uid + 1);
    }
    return { validity: Number(header[1]), next, lines };
  }

  /** Rewrites the uidlist atomically (write a temporary file, then rename over the old one), in UID order. */
  private writeUidlist(without?: ReadonlySet<number>): void {
    const lines = [`mailsim-uidlist 1 V${this.validity} N${this.next}`];
    const index = this.index;
    for (let slot = 0; slot < index.end; slot++) {
      if (!index.live(slot) || without?.has(index.uidAt(slot))) continue;
      const file = this.fileOf(index.extraAt(slot));
      const keywords = file.keywords.map((keyword) => ` K${keyword}`).join('');
      lines.push(`${index.uidAt(slot)} T${index.dateAt(slot)}${keywords} :${file.basename}`);
    }
    const temporary = this.path(`${UIDLIST_FILE}.tmp`);
    this.disk.write(temporary, encoder.encode(`${lines.join('\n')}\n`));
    this.disk.rename(temporary, this.path(UIDLIST_FILE));
  }

  /** Adds one message's line to the uidlist (one atomic append; see the top of the file). */
  private appendUidlistLine(uid: number, internalDateMs: number, basename: string, keywords: readonly string[]): void {
    const fields = keywords.map((keyword) => ` K${keyword}`).join('');
    this.disk.append(this.path(UIDLIST_FILE), encoder.encode(`${uid} T${internalDateMs}${fields} :${basename}\n`));
  }

  private uniqueName(lfSize: number, crlfSize: number): string {
    const nowMs = this.context.clockMs();
    const seconds = Math.floor(nowMs / 1000);
    const micros = (nowMs - seconds * 1000) * 1000;
    for (let attempt = 0; attempt < UNIQUE_NAME_ATTEMPTS_MAX; attempt++) {
      // Joined, not a template: a template's result is a rope of its ~10 pieces, each kept for as long as
      // the message is (~400 bytes a message); join makes one flat string.
      const name = [seconds, '.M', micros, 'Q', this.names.next(), '.', safeHost(this.context.hostName), ',S=', lfSize, ',W=', crlfSize].join('');
      if (!this.basenames.has(name) && !this.disk.exists(this.path('tmp', name))) return name;
    }
    throw new Error('no unique Maildir name found (counter broken?)');
  }

  protected readRecord(record: MessageRecord): Uint8Array {
    const indexed = this.index.extraAt(this.index.slotOf(record.uid));
    const bytes = this.disk.read(typeof indexed === 'string' ? indexed : this.path(indexed.currentPath));
    if (!bytes) throw new Error(`Maildir file of UID ${record.uid} vanished from ${this.dir}`);
    return lfToCrlf(bytes);
  }

  protected startWrite(bytes: Uint8Array, options: WriteOptions & { flags: string[] }): Delivery {
    const view = normalizeMessage(bytes);
    const onDisk = crlfToLf(view);
    const basename = this.uniqueName(onDisk.length, view.length);
    const tmpPath = this.path('tmp', basename);
    const internalDateMs = options.internalDateMs ?? this.context.clockMs();
    const flags = options.flags;
    let state: 'written' | 'done' = 'written';
    // Step 1 (begin): the whole file goes to tmp/. Nothing is visible yet.
    this.disk.write(tmpPath, onDisk);
    const folder = this;
    return {
      folder: this.name,
      stepsLeft: 0,
      step() {
        throw new Error('a Maildir delivery has no intermediate step: commit it');
      },
      commit(): number {
        if (state !== 'written') throw new Error('delivery already finished');
        if (!folder.alive) throw new Error(`folder ${folder.name} was removed during the delivery`);
        state = 'done';
        // Step 2 (commit): the rename is the instant of delivery (W1). A message APPENDed with flags
        // goes straight to cur/ with them, as Dovecot does.
        const currentPath = flags.length > 0 ? folder.curPath(basename, flags) : `new/${basename}`;
        const keywords = flags.length === 0 ? none : flags.filter((f) => !f.startsWith('\\'));
        const diskPath = folder.path(currentPath);
        folder.disk.rename(tmpPath, diskPath);
        const uid = folder.next++;
        folder.appendUidlistLine(uid, internalDateMs, basename, keywords);
        const file: IndexedFile = flags.length === 0 ? diskPath : { basename, currentPath, keywords };
        folder.addRecord({ uid, flags: flags.length === 0 ? none : flags, internalDateMs, size: view.length }, file);
        return uid;
      },
      abort(): void {
        if (state !== 'written') return;
        state = 'done';
        folder.disk.unlink(tmpPath);
      },
    };
  }

  protected writeFlags(record: MessageRecord, flags: string[]): void {
    const slot = this.index.slotOf(record.uid);
    const file = this.fileOf(this.index.extraAt(slot));
    const keywords = flags.filter((flag) => !flag.startsWith('\\'));
    const keywordsChanged = keywords.join(' ') !== file.keywords.join(' ');
    // A reader that sets flags moves the message to cur/ (maildir(5)).
    const newPath = this.curPath(file.basename, flags);
    if (newPath !== file.currentPath) this.disk.rename(this.path(file.currentPath), this.path(newPath));
    this.index.setExtra(slot, this.indexed({ basename: file.basename, currentPath: newPath, keywords }));
    if (keywordsChanged) this.writeUidlist();
  }

  protected removeRecords(records: MessageRecord[]): void {
    for (const record of records) {
      const file = this.fileOf(this.index.extraAt(this.index.slotOf(record.uid)));
      this.disk.unlink(this.path(file.currentPath));
      this.basenames.delete(file.basename);
    }
    // FolderBase drops them from the index after this returns.
    this.writeUidlist(new Set(records.map((record) => record.uid)));
  }
}
