/**
 * Durations and sizes as scenario files write them (docs/reference.md §1).
 *
 * A duration is a string of one or more `NUMBER UNIT` parts with no spaces — `250ms`, `30s`, `5m`,
 * `4h`, `5d`, `1w`, compounds such as `1h30m` — or a bare number of milliseconds (`250` or `"250"`).
 * Parts go from the largest unit to the smallest, each unit once, and the total must be a whole,
 * non-negative number of milliseconds. A size is `512` (bytes), or a number with a decimal unit
 * (`kB`, `MB`, `GB`: powers of 1000) or a binary one (`KiB`, `MiB`, `GiB`: powers of 1024).
 *
 * Parsing never throws: it returns either the value or a message that says what was expected and
 * shows examples, so the loader can report every bad value at once with its position. The format
 * functions are the inverse (used by tests and by whoever writes scenario files back out).
 */

export type UnitResult = { ok: true; value: number } | { ok: false; message: string };

/** Largest value either parser returns; beyond it integer arithmetic on doubles is no longer exact. */
export const unitValueMax = Number.MAX_SAFE_INTEGER;
/** Longest unit string worth looking at; anything longer is certainly not a duration or size. */
const unitTextCharsMax = 200;

const durationUnitsMs: ReadonlyArray<readonly [string, number]> = [
  ['w', 604_800_000],
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
  ['ms', 1],
];

const sizeUnitsBytes: ReadonlyArray<readonly [string, number]> = [
  ['GiB', 1024 ** 3],
  ['MiB', 1024 ** 2],
  ['KiB', 1024],
  ['GB', 1000 ** 3],
  ['MB', 1000 ** 2],
  ['kB', 1000],
  ['B', 1],
];

/** English words people write instead of a unit, mapped to the unit they mean. */
const durationWords: Readonly<Record<string, string>> = {
  millisecond: 'ms', milliseconds: 'ms', msec: 'ms', msecs: 'ms',
  sec: 's', secs: 's', second: 's', seconds: 's',
  min: 'm', mins: 'm', minute: 'm', minutes: 'm',
  hr: 'h', hrs: 'h', hour: 'h', hours: 'h',
  day: 'd', days: 'd', week: 'w', weeks: 'w', wk: 'w',
  S: 's', M: 'm', H: 'h', D: 'd', MS: 'ms', Ms: 'ms', W: 'w',
};

/** Unit spellings people write for sizes that are not ours; mapped to what we accept. */
const sizeWords: Readonly<Record<string, string>> = {
  b: 'B', byte: 'B', bytes: 'B',
  k: 'kB', K: 'kB', kb: 'kB', KB: 'kB or KiB', Kb: 'kB', kiB: 'KiB', Ki: 'KiB', kib: 'KiB', KIB: 'KiB',
  m: 'MB', M: 'MB', mb: 'MB', Mb: 'MB', mB: 'MB', Mi: 'MiB', mib: 'MiB', MIB: 'MiB',
  g: 'GB', G: 'GB', gb: 'GB', Gb: 'GB', gB: 'GB', Gi: 'GiB', gib: 'GiB', GIB: 'GiB',
};

const durationHelp = 'a duration such as 250ms, 30s, 5m, 4h, 5d or 1h30m (units ms, s, m, h, d, w; a bare number is milliseconds)';
const sizeHelp = 'a size such as 512, 10kB, 2MB or 4MiB (kB/MB/GB are powers of 1000, KiB/MiB/GiB powers of 1024; a bare number is bytes)';

const numberPattern = /^(?:\d+(?:\.\d+)?|\.\d+)$/;
/** One `NUMBER UNIT` part, anchored at the start of what is left. */
const partPattern = /^(\d+(?:\.\d+)?|\.\d+)([A-Za-z]+)/;

/** JSON Schema `pattern` for duration strings (editors use it; the parser gives the real messages). */
export const durationPattern = '^\\s*(?:\\d+(?:\\.\\d+)?|(?:(?:\\d+(?:\\.\\d+)?)(?:w|d|h|ms|m|s))+)\\s*$';
/** JSON Schema `pattern` for size strings. */
export const sizePattern = '^\\s*\\d+(?:\\.\\d+)?(?:B|kB|MB|GB|KiB|MiB|GiB)?\\s*$';

function show(input: unknown): string {
  if (typeof input === 'string') return JSON.stringify(input);
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'a list';
  if (typeof input === 'object') return 'a mapping';
  return String(input);
}

/** Validates a number that is already a count of base units (ms or bytes). */
function fromNumber(value: number, what: string, help: string): UnitResult {
  if (!Number.isFinite(value)) return { ok: false, message: `expected ${help}; got ${value}` };
  if (value < 0) return { ok: false, message: `a ${what} cannot be negative (got ${value}); expected ${help}` };
  if (!Number.isInteger(value)) {
    return { ok: false, message: `a bare number is a whole number of ${what === 'duration' ? 'milliseconds' : 'bytes'} (got ${value}); expected ${help}` };
  }
  if (value > unitValueMax) return { ok: false, message: `${value} is too large for a ${what}` };
  return { ok: true, value };
}

/**
 * Parses `NUMBER UNIT` parts in `text` (already trimmed, no spaces) with the given unit table.
 * Returns null when the text is not made of such parts. Arithmetic is exact (BigInt), so `1.5h` is
 * whole and `0.1ms` is not, at any magnitude; `total` is null when the sum is not a whole number.
 */
function parseParts(
  text: string,
  units: ReadonlyArray<readonly [string, number]>,
  allowCompound: boolean,
): { total: bigint | null; orderProblem: string | null; unknownUnit: string | null } | null {
  let rest = text;
  let totalScaled = 0n;
  let commonScale = 1n;
  let lastRank = -1;
  let parts = 0;
  let orderProblem: string | null = null;
  while (rest.length > 0) {
    const match = partPattern.exec(rest);
    if (!match) return null;
    const [whole, digits, unit] = match as unknown as [string, string, string];
    const rank = units.findIndex(([name]) => name === unit);
    if (rank < 0) return { total: 0n, orderProblem: null, unknownUnit: unit };
    if (rank <= lastRank && orderProblem === null) {
      orderProblem = rank === lastRank ? `the unit ${unit} appears twice` : 'units must go from the largest to the smallest (e.g. 1h30m, not 30m1h)';
    }
    lastRank = rank;
    const [intText = '', fracText = ''] = digits.split('.');
    const scale = 10n ** BigInt(fracText.length);
    const scaled = (BigInt(intText || '0') * scale + BigInt(fracText || '0')) * BigInt(units[rank]?.[1] ?? 0);
    // Bring both sums to the larger scale (scales are powers of ten, so one divides the other).
    if (scale > commonScale) {
      totalScaled *= scale / commonScale;
      commonScale = scale;
    }
    totalScaled += scaled * (commonScale / scale);
    rest = rest.slice(whole.length);
    parts += 1;
  }
  if (parts > 1 && !allowCompound) return null;
  const total = totalScaled % commonScale === 0n ? totalScaled / commonScale : null;
  return { total, orderProblem, unknownUnit: null };
}

/** Parses a duration (docs/reference.md §1) into whole milliseconds. */
export function parseDuration(input: unknown): UnitResult {
  if (typeof input === 'number') return fromNumber(input, 'duration', durationHelp);
  if (typeof input !== 'string') return { ok: false, message: `expected ${durationHelp}; got ${show(input)}` };
  if (input.length > unitTextCharsMax) return { ok: false, message: `expected ${durationHelp}; got a ${input.length}-character string` };
  const text = input.trim();
  if (text === '') return { ok: false, message: `expected ${durationHelp}; got an empty string` };
  if (text.startsWith('-')) return { ok: false, message: `a duration cannot be negative (got ${show(input)}); expected ${durationHelp}` };
  if (numberPattern.test(text)) return fromNumber(Number(text), 'duration', durationHelp);
  if (/\s/.test(text)) {
    const squeezed = text.replace(/\s+/g, '');
    const words = /^(\d+(?:\.\d+)?)\s*([A-Za-z]+)$/.exec(text);
    const wordUnit = words ? durationWords[words[2] ?? ''] : undefined;
    const hint = wordUnit
      ? `; did you mean ${words?.[1]}${wordUnit}?`
      : parseDuration(squeezed).ok
        ? `; write it without spaces: ${squeezed}`
        : '';
    return { ok: false, message: `${show(input)} is not a duration: expected ${durationHelp}${hint}` };
  }
  const parsed = parseParts(text, durationUnitsMs, true);
  if (parsed === null) return { ok: false, message: `${show(input)} is not a duration: expected ${durationHelp}` };
  if (parsed.unknownUnit !== null) {
    const meant = durationWords[parsed.unknownUnit];
    const hint = meant ? `; did you mean ${meant}?` : '';
    return { ok: false, message: `unknown time unit "${parsed.unknownUnit}" in ${show(input)}: expected ${durationHelp}${hint}` };
  }
  if (parsed.orderProblem !== null) return { ok: false, message: `${show(input)} is not a duration: ${parsed.orderProblem}` };
  if (parsed.total === null) return { ok: false, message: `${show(input)} is not a whole number of milliseconds; expected ${durationHelp}` };
  if (parsed.total > BigInt(unitValueMax)) return { ok: false, message: `${show(input)} is too large for a duration` };
  return { ok: true, value: Number(parsed.total) };
}

/** Parses a size (docs/reference.md §1) into bytes. */
export function parseSize(input: unknown): UnitResult {
  if (typeof input === 'number') return fromNumber(input, 'size', sizeHelp);
  if (typeof input !== 'string') return { ok: false, message: `expected ${sizeHelp}; got ${show(input)}` };
  if (input.length > unitTextCharsMax) return { ok: false, message: `expected ${sizeHelp}; got a ${input.length}-character string` };
  const text = input.trim();
  if (text === '') return { ok: false, message: `expected ${sizeHelp}; got an empty string` };
  if (text.startsWith('-')) return { ok: false, message: `a size cannot be negative (got ${show(input)}); expected ${sizeHelp}` };
  if (numberPattern.test(text)) return fromNumber(Number(text), 'size', sizeHelp);
  if (/\s/.test(text)) {
    const squeezed = text.replace(/\s+/g, '');
    const words = /^(\d+(?:\.\d+)?)\s*([A-Za-z]+)$/.exec(text);
    const meant = words ? sizeWords[words[2] ?? ''] : undefined;
    const hint = parseSize(squeezed).ok
      ? `; write it without spaces: ${squeezed}`
      : meant
        ? `; write it without spaces, with the unit ${meant} (e.g. ${words?.[1]}${meant.split(' ')[0]})`
        : '';
    return { ok: false, message: `${show(input)} is not a size: expected ${sizeHelp}${hint}` };
  }
  const parsed = parseParts(text, sizeUnitsBytes, false);
  if (parsed === null) return { ok: false, message: `${show(input)} is not a size: expected ${sizeHelp}` };
  if (parsed.unknownUnit !== null) {
    const meant = sizeWords[parsed.unknownUnit];
    const hint = meant ? `; did you mean ${meant}? (units are case-sensitive)` : '';
    return { ok: false, message: `unknown size unit "${parsed.unknownUnit}" in ${show(input)}: expected ${sizeHelp}${hint}` };
  }
  if (parsed.total === null) return { ok: false, message: `${show(input)} is not a whole number of bytes; expected ${sizeHelp}` };
  if (parsed.total > BigInt(unitValueMax)) return { ok: false, message: `${show(input)} is too large for a size` };
  return { ok: true, value: Number(parsed.total) };
}

/** Formats whole milliseconds as the shortest compound duration, e.g. 5_400_000 → `1h30m`; 0 → `0s`. */
export function formatDuration(ms: number): string {
  if (!Number.isSafeInteger(ms) || ms < 0) throw new RangeError(`formatDuration: ${ms} is not a whole, non-negative number of ms`);
  if (ms === 0) return '0s';
  let rest = ms;
  let out = '';
  for (const [unit, size] of durationUnitsMs) {
    if (unit === 'w') continue; // weeks read oddly in compounds (1w2d); days say the same thing
    const count = Math.floor(rest / size);
    if (count > 0) {
      out += `${count}${unit}`;
      rest -= count * size;
    }
  }
  return out;
}

/** Formats bytes with the largest unit that divides them exactly (binary first), e.g. 2048 → `2KiB`. */
export function formatSize(bytes: number): string {
  if (!Number.isSafeInteger(bytes) || bytes < 0) throw new RangeError(`formatSize: ${bytes} is not a whole, non-negative number of bytes`);
  if (bytes === 0) return '0';
  for (const [unit, size] of sizeUnitsBytes) {
    if (size > 1 && bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return String(bytes);
}

const elapsedMsPerSecond = 1000;
const elapsedMsPerMinute = 60 * elapsedMsPerSecond;
const elapsedMsPerHour = 60 * elapsedMsPerMinute;
const elapsedMsPerDay = 24 * elapsedMsPerHour;

/** `9000381` → `2h 30m 0.381s`; `0` → `0s`; days when there are any (`1d 2h`). */
export function formatDurationMs(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  const sign = ms < 0 ? '-' : '';
  let rest = Math.round(Math.abs(ms));
  const days = Math.floor(rest / elapsedMsPerDay);
  rest -= days * elapsedMsPerDay;
  const hours = Math.floor(rest / elapsedMsPerHour);
  rest -= hours * elapsedMsPerHour;
  const minutes = Math.floor(rest / elapsedMsPerMinute);
  rest -= minutes * elapsedMsPerMinute;
  const parts: string[] = [];
  if (days > 0) parts.push(`${days}d`);
  if (hours > 0) parts.push(`${hours}h`);
  if (minutes > 0) parts.push(`${minutes}m`);
  if (rest > 0 || parts.length === 0) {
    const seconds = Math.floor(rest / elapsedMsPerSecond);
    const millis = rest % elapsedMsPerSecond;
    parts.push(millis === 0 ? `${seconds}s` : `${seconds}.${String(millis).padStart(3, '0').replace(/0+$/, '')}s`);
  }
  return sign + parts.join(' ');
}
