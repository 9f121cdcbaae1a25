/**
 * procmail-like delivery filters (docs/reference.md §7.1): an ordered list applied by the MDA to each
 * message it delivers; the first filter whose conditions all hold decides; no match → INBOX.
 *
 * The normalised shapes (the MDA works with exactly these; `normaliseFilter` converts the scenario's
 * YAML form, e.g. `size-over: 5MB`):
 *
 *   interface MailFilter { if: FilterCondition; then: FilterAction }
 *   interface FilterCondition {
 *     header?: string;    // a header field name; alone it means "the field is present"
 *     contains?: string;  // with header: some field of that name contains this text
 *     matches?: string;   // with header: some field of that name matches this regular expression
 *     from?: string;      // the sender: envelope MAIL FROM or an address in From:
 *     to?: string;        // the recipient: this delivery's envelope recipient, or an address in To:/Cc:
 *     sizeOver?: number;  // the message is larger than this many bytes
 *   }
 *   type FilterAction = { folder: string } | { forward: string } | 'discard' | 'reject';
 *
 * Every condition given must hold (AND); a filter with no condition matches everything. Text tests
 * and address comparisons are case-insensitive, as procmail's are by default (a user writing
 * `from: boss@example.org` means Boss@Example.org too). `contains`/`matches` without `header` test the whole header block, like a procmail
 * recipe line without a field anchor.
 *
 * Regular expressions are compiled once (`compileFilters`), so a bad one is reported at load time with
 * its position in the list, not during delivery.
 */
import { type HeaderBlock, headerBytes, parseHeaderBlock } from '../mail/headers.js';
import { bytesLatin1 } from '../../protocols/machine.js';

export interface FilterCondition {
  header?: string;
  contains?: string;
  matches?: string;
  from?: string;
  to?: string;
  sizeOver?: number;
}

export type FilterAction = { folder: string } | { forward: string } | 'discard' | 'reject';

export interface MailFilter {
  if: FilterCondition;
  then: FilterAction;
}

/** What the filters see of a message. */
export interface FilterMessage {
  /** MAIL FROM ("" for the null sender). */
  envelopeFrom: string;
  /** The recipient this delivery is for. */
  envelopeTo: string;
  sizeBytes: number;
  /** Every unfolded value of the named header field, in order. */
  headers(name: string): string[];
  /** The whole header block as text (for contains/matches without a header name). */
  headerText(): string;
}

/**
 * Builds a filter. Code that writes a literal `{ then: … }` trips Biome's noThenProperty (an object
 * with `then` looks like a promise to `await`); this constructor keeps the scenario's shape without it.
 */
export function makeFilter(condition: FilterCondition, action: FilterAction): MailFilter {
  const then = action;
  return { if: condition, then };
}

export type FilterDecision = { matched: true; index: number; action: FilterAction } | { matched: false };

export class FilterError extends Error {
  override readonly name = 'FilterError';
}

/** A cap on filters per user, so a configuration cannot make every delivery unboundedly slow. */
export const filtersMax = 1000;

interface CompiledFilter {
  filter: MailFilter;
  pattern: RegExp | null;
}

export interface CompiledFilters {
  readonly filters: readonly CompiledFilter[];
}

/** Validates and compiles; throws FilterError naming the filter (0-based index) that is wrong. */
export function compileFilters(filters: readonly MailFilter[]): CompiledFilters {
  if (filters.length > filtersMax) throw new FilterError(`more than ${filtersMax} filters`);
  return {
    filters: filters.map((filter, index) => {
      const where = `filters[${index}]`;
      const condition = filter.if;
      if (condition.contains !== undefined && condition.matches !== undefined) {
        throw new FilterError(`${where}: give either contains or matches, not both`);
      }
      if (condition.sizeOver !== undefined && !(Number.isFinite(condition.sizeOver) && condition.sizeOver >= 0)) {
        throw new FilterError(`${where}: sizeOver must be a size in bytes ≥ 0`);
      }
      validateAction(filter.then, where);
      let pattern: RegExp | null = null;
      if (condition.matches !== undefined) {
        try {
          pattern = new RegExp(condition.matches, 'i');
        } catch (error) {
          throw new FilterError(`${where}: matches is not a valid regular expression: ${(error as Error).message}`);
        }
      }
      return { filter, pattern };
    }),
  };
}

function validateAction(action: FilterAction, where: string): void {
  if (action === 'discard' || action === 'reject') return;
  if (typeof action === 'object' && action !== null) {
    if ('folder' in action && typeof action.folder === 'string' && action.folder.length > 0) return;
    if ('forward' in action && typeof action.forward === 'string' && action.forward.includes('@')) return;
  }
  throw new FilterError(`${where}: then must be { folder }, { forward: address }, "discard" or "reject"`);
}

/** Addresses compare case-insensitively in filters, brackets dropped. */
const addressKey = (address: string) => address.trim().replace(/^<|>$/g, '').toLowerCase();

/** Every address-looking token in header values (good enough for From/To/Cc in tests and scenarios). */
function addressesIn(values: readonly string[]): string[] {
  const found: string[] = [];
  for (const value of values) {
    for (const match of value.matchAll(/[^\s<>(),;:"]+@[^\s<>(),;:"]+/g)) found.push(addressKey(match[0]));
  }
  return found;
}

function conditionHolds(compiled: CompiledFilter, message: FilterMessage): boolean {
  const condition = compiled.filter.if;
  if (condition.sizeOver !== undefined && !(message.sizeBytes > condition.sizeOver)) return false;
  if (condition.from !== undefined) {
    const wanted = addressKey(condition.from);
    const senders = [addressKey(message.envelopeFrom), ...addressesIn(message.headers('From'))];
    if (!senders.includes(wanted)) return false;
  }
  if (condition.to !== undefined) {
    const wanted = addressKey(condition.to);
    const recipients = [addressKey(message.envelopeTo), ...addressesIn([...message.headers('To'), ...message.headers('Cc')])];
    if (!recipients.includes(wanted)) return false;
  }
  const texts = condition.header === undefined ? [message.headerText()] : message.headers(condition.header);
  if (condition.header !== undefined && texts.length === 0) return false;
  if (condition.contains !== undefined) {
    const needle = condition.contains.toLowerCase();
    if (!texts.some((text) => text.toLowerCase().includes(needle))) return false;
  }
  if (compiled.pattern !== null) {
    const pattern = compiled.pattern;
    if (!texts.some((text) => pattern.test(text))) return false;
  }
  return true;
}

/** The first filter that matches decides (first match wins). */
export function applyFilters(compiled: CompiledFilters, message: FilterMessage): FilterDecision {
  for (let index = 0; index < compiled.filters.length; index++) {
    const entry = compiled.filters[index]!;
    if (conditionHolds(entry, message)) return { matched: true, index, action: entry.filter.then };
  }
  return { matched: false };
}

/** A FilterMessage over message bytes and the envelope of this delivery. */
export function filterMessage(bytes: Uint8Array, envelope: { from: string; to: string }): FilterMessage {
  // Parsed on first use: a user without filters (or whose filters test only the envelope or the
  // size) never pays for the header block.
  let block: HeaderBlock | null = null;
  return {
    envelopeFrom: envelope.from,
    envelopeTo: envelope.to,
    sizeBytes: bytes.length,
    headers: (name) => {
      block ??= parseHeaderBlock(bytes);
      const lowerName = name.toLowerCase();
      return block.fields.filter((field) => field.name.toLowerCase() === lowerName).map((field) => field.value);
    },
    headerText: () => bytesLatin1(headerBytes(bytes)),
  };
}

// ---------------------------------------------------------------------------------------------------
// From the scenario's form

/** Sizes as docs/reference.md §1 writes them: 512, "10kB", "2MB" (powers of 1000), "KiB"/"MiB" (1024). */
export function parseSize(value: number | string): number {
  if (typeof value === 'number') {
    if (Number.isFinite(value) && value >= 0) return value;
    throw new FilterError(`size ${value} must be ≥ 0`);
  }
  const match = /^\s*(\d+(?:\.\d+)?)\s*(B|kB|KB|MB|GB|KiB|MiB|GiB)?\s*$/.exec(value);
  if (!match) throw new FilterError(`"${value}" is not a size (e.g. 512, 10kB, 2MB, 1MiB)`);
  const factors: Record<string, number> = { B: 1, kB: 1e3, KB: 1e3, MB: 1e6, GB: 1e9, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 };
  return Math.round(Number(match[1]) * factors[match[2] ?? 'B']!);
}

/**
 * Converts one filter from the scenario's YAML shape (`size-over`, sizes as strings) to MailFilter.
 * Throws FilterError with the index for anything it cannot read.
 */
export function normaliseFilter(raw: unknown, index: number): MailFilter {
  const where = `filters[${index}]`;
  if (typeof raw !== 'object' || raw === null) throw new FilterError(`${where}: must be { if, then }`);
  const record = raw as Record<string, unknown>;
  const rawIf = record.if ?? {};
  if (typeof rawIf !== 'object' || rawIf === null) throw new FilterError(`${where}.if: must be a map of conditions`);
  const condition: FilterCondition = {};
  for (const [key, value] of Object.entries(rawIf as Record<string, unknown>)) {
    switch (key) {
      case 'header':
      case 'contains':
      case 'matches':
      case 'from':
      case 'to':
        if (typeof value !== 'string') throw new FilterError(`${where}.if.${key}: must be a string`);
        condition[key] = value;
        break;
      case 'size-over':
      case 'sizeOver':
        if (typeof value !== 'number' && typeof value !== 'string') throw new FilterError(`${where}.if.${key}: must be a size`);
        condition.sizeOver = parseSize(value);
        break;
      default:
        throw new FilterError(`${where}.if: unknown condition "${key}" (header, contains, matches, from, to, size-over)`);
    }
  }
  const action = record.then as FilterAction;
  validateAction(action, `${where}.then`);
  return makeFilter(condition, action);
}
