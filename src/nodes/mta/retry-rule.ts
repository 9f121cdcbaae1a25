/**
 * The Exim retry rule syntax used by `queue.rule` when `schedule: exim` (docs/reference.md §5.1, docs/delivery.md
 * R9), parsed once here so the MTA never re-reads strings.
 *
 * A rule is a `;`-separated list of items, each measured from the first failure of the message:
 *   `F,CUTOFF,INTERVAL`            retry every INTERVAL until CUTOFF;
 *   `G,CUTOFF,INTERVAL,FACTOR`     geometric: INTERVAL, then ×FACTOR each time, until CUTOFF;
 *   `H,CUTOFF,INTERVAL,FACTOR`     as G, with each interval drawn between the previous one and the
 *                                  geometric value (Exim's "happy medium"; the runner draws it from
 *                                  its seeded stream).
 * Cutoffs must grow from item to item; the first failure after the last cutoff bounces. This follows
 * Exim's spec, chapter "Retry configuration" (the retry rules of the default configure file).
 */
import { parseDuration } from '../../schema/units.js';

export interface RetryRuleItem {
  /** `F` fixed, `G` geometric, `H` randomised geometric. */
  kind: 'F' | 'G' | 'H';
  /** Time since the first failure up to which this item applies. */
  cutoffMs: number;
  /** The first (for F: every) interval between attempts. */
  intervalMs: number;
  /** Growth factor of the interval; 1 for F. */
  multiplier: number;
}

export type RetryRuleResult = { ok: true; items: RetryRuleItem[] } | { ok: false; messages: string[] };

/** More items than any sane rule has; bounds the parse loop. */
export const retryRuleItemsMax = 32;
/** A geometric factor above this would overflow any cutoff within a few steps; it is certainly a typo. */
const retryMultiplierMax = 100;

const ruleHelp = 'an Exim retry rule such as "F,2h,15m; G,16h,1h,1.5; F,4d,6h" (items F,CUTOFF,INTERVAL or G|H,CUTOFF,INTERVAL,FACTOR separated by ";")';

export function parseRetryRule(text: string): RetryRuleResult {
  const itemTexts = text.split(';').map((s) => s.trim());
  if (itemTexts.length === 1 && itemTexts[0] === '') return { ok: false, messages: [`the rule is empty; expected ${ruleHelp}`] };
  if (itemTexts.length > retryRuleItemsMax) return { ok: false, messages: [`a retry rule has at most ${retryRuleItemsMax} items (got ${itemTexts.length})`] };
  const items: RetryRuleItem[] = [];
  const messages: string[] = [];
  itemTexts.forEach((itemText, index) => {
    const where = `item ${index + 1} ("${itemText}")`;
    if (itemText === '') {
      // A trailing `;` is harmless; an empty item in the middle is a typo worth mentioning.
      if (index !== itemTexts.length - 1) messages.push(`${where} is empty; expected ${ruleHelp}`);
      return;
    }
    const fields = itemText.split(',').map((s) => s.trim());
    const kind = fields[0];
    if (kind !== 'F' && kind !== 'G' && kind !== 'H') {
      messages.push(`${where} must start with F, G or H; expected ${ruleHelp}`);
      return;
    }
    const fieldsWanted = kind === 'F' ? 3 : 4;
    if (fields.length !== fieldsWanted) {
      messages.push(`${where}: ${kind} takes ${fieldsWanted - 1} values (${kind === 'F' ? 'CUTOFF,INTERVAL' : 'CUTOFF,INTERVAL,FACTOR'}), got ${fields.length - 1}`);
      return;
    }
    const cutoff = parseDuration(fields[1]);
    const interval = parseDuration(fields[2]);
    if (!cutoff.ok) messages.push(`${where}: cutoff: ${cutoff.message}`);
    if (!interval.ok) messages.push(`${where}: interval: ${interval.message}`);
    let multiplier = 1;
    if (kind !== 'F') {
      const factorText = fields[3] ?? '';
      multiplier = /^\d+(?:\.\d+)?$/.test(factorText) ? Number(factorText) : Number.NaN;
      if (!(multiplier >= 1 && multiplier <= retryMultiplierMax)) {
        messages.push(`${where}: the factor must be a number from 1 to ${retryMultiplierMax}, such as 1.5 (got "${factorText}")`);
      }
    }
    if (!cutoff.ok || !interval.ok) return;
    if (interval.value === 0) {
      messages.push(`${where}: the interval must be longer than 0`);
      return;
    }
    const previous = items[items.length - 1];
    if (previous && cutoff.value <= previous.cutoffMs) {
      messages.push(`${where}: cutoffs must grow from item to item (${fields[1]} is not after the previous cutoff)`);
    }
    items.push({ kind, cutoffMs: cutoff.value, intervalMs: interval.value, multiplier });
  });
  if (messages.length > 0) return { ok: false, messages };
  if (items.length === 0) return { ok: false, messages: [`the rule is empty; expected ${ruleHelp}`] };
  return { ok: true, items };
}
