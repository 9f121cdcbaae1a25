/** procmail-like MDA filters (docs/reference.md §7.1): conditions, actions, first match wins. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applyFilters,
  compileFilters,
  type FilterAction,
  type FilterCondition,
  FilterError,
  filterMessage,
  type MailFilter,
  makeFilter as rule,
  normaliseFilter,
  parseSize,
} from '../../../src/nodes/mda/filters.js';

const enc = new TextEncoder();
const spam = filterMessage(
  enc.encode('From: "The Boss" <Boss@Example.org>\r\nTo: bob@example.org\r\nCc: team@example.org\r\nSubject: [SPAM] cheap\r\n\r\nbuy now\r\n'),
  { from: 'bounce-123@lists.example.net', to: 'bob@example.org' },
);

const decide = (filters: MailFilter[], message = spam) => applyFilters(compileFilters(filters), message);
const matches = (condition: FilterCondition) => decide([rule(condition, 'discard')]).matched;
/** Scenario data arrives parsed from YAML; JSON stands in for it here. */
const raw = (json: string): unknown => JSON.parse(json);

describe('filters (docs/reference.md §7.1)', () => {
  it('§7.1: header + contains (case-insensitive) → folder', () => {
    expect(decide([rule({ header: 'subject', contains: '[spam]' }, { folder: 'Junk' })])).toEqual({
      matched: true,
      index: 0,
      action: { folder: 'Junk' },
    });
    expect(matches({ header: 'Subject', contains: 'ham' })).toBe(false);
  });

  it('§7.1: header + matches (regular expression); an absent header never matches', () => {
    expect(matches({ header: 'Subject', matches: '^\\[spam\\]\\s+ch' })).toBe(true);
    expect(matches({ header: 'X-Missing', matches: '.*' })).toBe(false);
    expect(matches({ header: 'Cc' })).toBe(true);
  });

  it('§7.1: from matches the From: header address or the envelope sender; to the recipient or To/Cc', () => {
    expect(decide([rule({ from: 'boss@example.org' }, { forward: 'bob@mobile.example' })])).toMatchObject({
      matched: true,
      action: { forward: 'bob@mobile.example' },
    });
    expect(matches({ from: 'bounce-123@lists.example.net' })).toBe(true);
    expect(matches({ from: 'someone@else.org' })).toBe(false);
    expect(matches({ to: 'team@EXAMPLE.org' })).toBe(true);
    expect(matches({ to: 'other@example.org' })).toBe(false);
  });

  it('§7.1: size-over compares the message size in bytes (strictly larger)', () => {
    expect(matches({ sizeOver: spam.sizeBytes - 1 })).toBe(true);
    expect(matches({ sizeOver: spam.sizeBytes })).toBe(false);
  });

  it('§7.1: all conditions of a filter must hold; the first matching filter wins', () => {
    const filters = [
      rule({ from: 'boss@example.org', header: 'Subject', contains: 'urgent' }, { folder: 'Urgent' }),
      rule({ header: 'Subject', contains: 'spam' }, { folder: 'Junk' }),
      rule({ from: 'boss@example.org' }, { forward: 'bob@mobile.example' }),
    ];
    expect(decide(filters)).toEqual({ matched: true, index: 1, action: { folder: 'Junk' } });
    expect(decide([rule({}, 'reject'), ...filters])).toMatchObject({ index: 0, action: 'reject' });
  });

  it('property: the decision is the first filter that matches on its own', () => {
    const conditionArb: fc.Arbitrary<FilterCondition> = fc.oneof(
      fc.record({ header: fc.constantFrom('Subject', 'To', 'X-No'), contains: fc.constantFrom('spam', 'bob', 'zzz') }),
      fc.record({ from: fc.constantFrom('boss@example.org', 'x@y.org') }),
      fc.record({ sizeOver: fc.integer({ min: 0, max: 400 }) }),
    );
    const actionArb = fc.constantFrom<FilterAction>('discard', 'reject', { folder: 'A' }, { forward: 'f@x.org' });
    const filterArb = fc.tuple(conditionArb, actionArb).map(([condition, action]) => rule(condition, action));
    fc.assert(
      fc.property(fc.array(filterArb, { maxLength: 8 }), (filters) => {
        const decision = decide(filters);
        const alone = filters.map((filter) => decide([filter]).matched);
        const firstIndex = alone.indexOf(true);
        if (firstIndex < 0) return decision.matched === false;
        return decision.matched && decision.index === firstIndex && decision.action === filters[firstIndex]!.then;
      }),
    );
  });

  it('bad filters are reported at compile time with their index', () => {
    expect(() => compileFilters([rule({}, 'discard'), rule({ header: 'S', matches: '(' }, 'discard')])).toThrow(
      /filters\[1\]: matches is not a valid regular expression/,
    );
    expect(() => compileFilters([rule({}, { folder: '' })])).toThrow(FilterError);
    expect(() => compileFilters([rule({ header: 'S', contains: 'a', matches: 'b' }, 'discard')])).toThrow(/either contains or matches/);
  });

  it('converts the scenario form (size-over with units) to the normalised shape', () => {
    expect(normaliseFilter(raw('{"if": {"size-over": "5MB"}, "then": "discard"}'), 0)).toEqual(rule({ sizeOver: 5_000_000 }, 'discard'));
    expect(normaliseFilter(raw('{"if": {"header": "Subject", "contains": "[SPAM]"}, "then": {"folder": "Junk"}}'), 0)).toEqual(
      rule({ header: 'Subject', contains: '[SPAM]' }, { folder: 'Junk' }),
    );
    expect(() => normaliseFilter(raw('{"if": {"subject": "x"}, "then": "discard"}'), 3)).toThrow(
      /filters\[3\]\.if: unknown condition "subject"/,
    );
    expect(() => normaliseFilter(raw('{"if": {}, "then": "delete"}'), 0)).toThrow(FilterError);
    expect(parseSize('10kB')).toBe(10_000);
    expect(parseSize('1MiB')).toBe(1_048_576);
    expect(parseSize(512)).toBe(512);
    expect(() => parseSize('lots')).toThrow(FilterError);
  });
});
