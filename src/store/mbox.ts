/**
 * An mbox folder (docs/delivery.md W2): one mboxrd file per folder (mboxrd.ts) and a sidecar index.
 *
 * Files: the mbox itself (ROOT/INBOX, ROOT/<encoded name>), and ROOT/.mailsim/<encoded name>.index with
 * UIDVALIDITY, UIDNEXT and, per message, its UID, the offset and length of its record, its internal
 * date and its flags. Flags and UIDs live in the sidecar rather than in Status:/X-UID: headers so that
 * changing a flag never rewrites the mailbox (docs/delivery.md I3, P5: UIDs survive sessions and crashes).
 *
 * Delivery takes the folder's append lock (in memory, like an fcntl lock: a crash releases it), then
 * appends the record in chunks, one disk step each, so the simulator can crash between chunks. The
 * file then ends in a truncated record. What we do about it, as procmail and mutt do:
 *   - the reader copes: opening the folder parses the truncated record as a (short) message, which
 *     gets a UID like any message found on disk — the user sees the damage, as with a real mbox;
 *   - the next append never merges into it: the folder, when opened, first appends the newlines that
 *     make the file end with a blank line, and every delivery checks again before its From_ line.
 * A clean abort (not a crash) cuts the file back to its old length, as Postfix's local(8) does with
 * ftruncate after a failed write. While a delivery holds the lock, APPEND and EXPUNGE of that folder
 * throw MailboxBusyError (they would have to wait for the lock; the callers answer "try again").
 *
 * When the file and the index disagree (a crash between an expunge's rewrite of the file and of the
 * index, or a file edited by another program), records are matched by (offset, length); the ones that
 * do not match are new to us and get fresh UIDs — UIDs are never reused because UIDNEXT only grows.
 */
import type { Disk } from './disk.js';
import { type Delivery, FolderBase, type FolderContext, type MessageRecord, type WriteOptions } from './folderBase.js';
import { crlfToLf, lfToCrlf, normalizeMessage } from './lineEnds.js';
import { MailboxBusyError } from './mailstore.js';
import { bytesToLatin1, encodeRecord, fromLineTime, latin1ToBytes, parseMbox, separatorPadding } from './mboxrd.js';

/** Default size of one append step of a delivery, in bytes (a write(2) of a buffered MDA). */
export const MBOX_APPEND_CHUNK_BYTES_DEFAULT = 4096;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

interface RecordPlace {
  offset: number;
  length: number;
}

interface IndexLine extends RecordPlace {
  uid: number;
  internalDateMs: number;
  flags: string[];
}

export class MboxFolder extends FolderBase<undefined> {
  private readonly places = new Map<number, RecordPlace>();
  /** The delivery holding the append lock, if any. */
  private lockHolder: object | null = null;
  /** The file's text as last read or written by us (a cache of the disk, lost on a crash). */
  private fileText: string | null = null;

  constructor(
    name: string,
    private readonly disk: Disk,
    private readonly mboxPath: string,
    private readonly indexPath: string,
    private readonly context: FolderContext,
    private readonly appendChunkBytes: number,
  ) {
    super(name);
    this.load();
  }

  /** True while a delivery holds the append lock. */
  get locked(): boolean {
    return this.lockHolder !== null;
  }

  private text(): string {
    this.fileText ??= bytesToLatin1(this.disk.read(this.mboxPath) ?? new Uint8Array());
    return this.fileText;
  }

  private load(): void {
    if (!this.disk.exists(this.mboxPath)) this.disk.write(this.mboxPath, new Uint8Array());
    // Repair a tail cut short by a crash so the next From_ line follows a blank line (see the top).
    const padding = separatorPadding(this.text());
    if (padding !== '') {
      this.disk.append(this.mboxPath, latin1ToBytes(padding));
      this.fileText = null;
    }
    const index = this.readIndex();
    let changed = index === null;
    this.validity = index?.validity ?? this.context.allocateUidValidity();
    this.next = index?.next ?? 1;
    const known = new Map((index?.lines ?? []).map((line) => [`${line.offset}:${line.length}`, line]));
    const records: MessageRecord[] = [];
    for (const record of parseMbox(this.text())) {
      const line = known.get(`${record.offset}:${record.length}`);
      known.delete(`${record.offset}:${record.length}`);
      const uid = line?.uid ?? this.next++;
      if (!line) changed = true;
      this.places.set(uid, { offset: record.offset, length: record.length });
      records.push({
        uid,
        flags: line?.flags ?? [],
        internalDateMs: line?.internalDateMs ?? fromLineTime(record.fromLine) ?? this.context.clockMs(),
        size: viewSize(record.message),
      });
    }
    if (known.size > 0) changed = true;
    this.loadRecords(records, () => undefined);
    if (changed) this.writeIndex();
  }

  private readIndex(): { validity: number; next: number; lines: IndexLine[] } | null {
    const bytes = this.disk.read(this.indexPath);
    if (!bytes) return null;
    const text = decoder.decode(bytes).split('\n');
    const header = /^mailsim-mbox-index 1 V(\d+) N(\d+)$/.exec(text[0] ?? '');
    if (!header) return null;
    const lines: IndexLine[] = [];
    let next = Number(header[2]);
    for (const line of text.slice(1)) {
      const fields = line.split(' ');
      if (fields.length < 4 || !fields.slice(0, 4).every((field) => /^\d+$/.test(field))) continue;
      const [uid, offset, length, internalDateMs] = fields.slice(0, 4).map(Number) as [number, number, number, number];
      lines.push({ uid, offset, length, internalDateMs, flags: fields.slice(4).filter((flag) => flag !== '') });
      next = Math.max(next, uid + 1);
    }
    return { validity: Number(header[1]), next, lines };
  }

  /**
   * Rewrites the index atomically; `override` gives a message not yet in the folder's index as it will
   * be (a delivery being committed: its date too) or flags not yet there, `without` UIDs to leave out.
   */
  private writeIndex(override?: { uid: number; flags: readonly string[]; internalDateMs?: number }, without?: ReadonlySet<number>): void {
    const lines = [`mailsim-mbox-index 1 V${this.validity} N${this.next}`];
    for (const [uid, place] of this.places) {
      if (without?.has(uid)) continue;
      const record = this.record(uid);
      const mine = override?.uid === uid ? override : undefined;
      const flags = mine?.flags ?? record?.flags ?? [];
      lines.push([uid, place.offset, place.length, mine?.internalDateMs ?? record?.internalDateMs ?? 0, ...flags].join(' '));
    }
    const temporary = `${this.indexPath}.tmp`;
    this.disk.write(temporary, encoder.encode(`${lines.join('\n')}\n`));
    this.disk.rename(temporary, this.indexPath);
  }

  protected readRecord(record: MessageRecord): Uint8Array {
    const place = this.places.get(record.uid)!;
    const parsed = parseMbox(this.text().slice(place.offset, place.offset + place.length))[0];
    if (!parsed) throw new Error(`mbox record of UID ${record.uid} is not where the index says`);
    return lfToCrlf(latin1ToBytes(parsed.message));
  }

  protected startWrite(bytes: Uint8Array, options: WriteOptions & { flags: string[] }): Delivery {
    if (this.lockHolder) throw new MailboxBusyError(this.name);
    const view = normalizeMessage(bytes);
    const internalDateMs = options.internalDateMs ?? this.context.clockMs();
    const record = encodeRecord(options.envelopeFrom ?? '', internalDateMs, bytesToLatin1(crlfToLf(view)));
    const before = this.text();
    const padding = separatorPadding(before);
    const whole = padding + record;
    const chunkBytes = Math.max(1, Math.min(this.appendChunkBytes, Math.ceil(whole.length / 2)));
    const chunks: string[] = [];
    for (let at = 0; at < whole.length; at += chunkBytes) chunks.push(whole.slice(at, at + chunkBytes));
    const place: RecordPlace = { offset: before.length + padding.length, length: record.length };
    const flags = options.flags;
    const token = {};
    this.lockHolder = token;
    let written = 0;
    let state: 'open' | 'done' = 'open';
    const folder = this;
    const writeNext = () => {
      folder.disk.append(folder.mboxPath, latin1ToBytes(chunks[written]!));
      folder.fileText = null;
      written++;
    };
    return {
      folder: this.name,
      get stepsLeft() {
        return state === 'open' ? chunks.length - written : 0;
      },
      step(): void {
        if (state !== 'open') throw new Error('delivery already finished');
        if (written < chunks.length) writeNext();
      },
      commit(): number {
        if (state !== 'open') throw new Error('delivery already finished');
        if (!folder.alive) throw new Error(`folder ${folder.name} was removed during the delivery`);
        while (written < chunks.length) writeNext();
        state = 'done';
        const uid = folder.next++;
        folder.places.set(uid, place);
        folder.writeIndex({ uid, flags, internalDateMs }); // before addRecord, which announces it
        folder.lockHolder = null;
        folder.addRecord({ uid, flags, internalDateMs, size: view.length }, undefined);
        return uid;
      },
      abort(): void {
        if (state !== 'open') return;
        state = 'done';
        if (written > 0) {
          folder.disk.write(folder.mboxPath, latin1ToBytes(before));
          folder.fileText = before;
        }
        folder.lockHolder = null;
      },
    };
  }

  protected writeFlags(record: MessageRecord, flags: string[]): void {
    this.writeIndex({ uid: record.uid, flags });
  }

  protected removeRecords(records: MessageRecord[]): void {
    if (this.lockHolder) throw new MailboxBusyError(this.name);
    const removed = new Set(records.map((record) => record.uid));
    const text = this.text();
    const kept = [...this.places].filter(([uid]) => !removed.has(uid)).sort((a, b) => a[1].offset - b[1].offset);
    let rewritten = '';
    for (const [uid, place] of kept) {
      const slice = text.slice(place.offset, place.offset + place.length);
      this.places.set(uid, { offset: rewritten.length, length: place.length });
      rewritten += slice;
    }
    for (const uid of removed) this.places.delete(uid);
    // Rewrite the file atomically, then the index.
    // The temporary file lives beside the index so it is never taken for a folder.
    const temporary = `${this.indexPath}.rewrite`;
    this.disk.write(temporary, latin1ToBytes(rewritten));
    this.disk.rename(temporary, this.mboxPath);
    this.fileText = rewritten;
    this.writeIndex(undefined, removed);
  }

  /** Where the folder lives on disk (for renames by the store). */
  get paths(): { mbox: string; index: string } {
    return { mbox: this.mboxPath, index: this.indexPath };
  }
}

/** The CRLF size of an LF message: one more byte per line end. */
function viewSize(lfMessage: string): number {
  let lines = 0;
  for (let i = 0; i < lfMessage.length; i++) if (lfMessage.charCodeAt(i) === 10) lines++;
  return lfMessage.length + lines;
}

