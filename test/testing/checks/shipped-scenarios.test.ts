/**
 * Every built-in check passes on every shipped scenario (scenarios/) where its property should hold:
 * all of them, except noDuplicates on rfc1047-duplicate.yaml, whose story is the RFC 1047 duplicate.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  atLeastOnce,
  bounceWellFormed,
  deliveredOrBounced,
  expectations,
  type MailCheck,
  mxOrder,
  noBackscatterLoop,
  noDuplicates,
  noLoss,
  noOpenRelay,
  reportInvariants,
  retrySchedule,
  runMail,
  violationsOf,
} from 'mailsim/testing';
import { describe, expect, it } from 'vitest';

const dir = join(import.meta.dirname, '..', '..', '..', 'scenarios');
const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
const checks: MailCheck[] = [noLoss(), deliveredOrBounced(), atLeastOnce(), noDuplicates(), mxOrder(), retrySchedule(), bounceWellFormed(), noOpenRelay(), noBackscatterLoop(), expectations(), reportInvariants()];
const exceptions: Record<string, string[]> = { 'rfc1047-duplicate.yaml': ['noDuplicates'] };

describe('the built-in checks on the shipped scenarios', () => {
  it('finds the scenarios', () => {
    expect(files.length).toBeGreaterThanOrEqual(10);
  });

  it.each(files)('%s: every check whose property should hold passes', (file) => {
    const run = runMail(join(dir, file));
    const skipped = exceptions[file] ?? [];
    const violations = violationsOf(run, checks.filter((c) => !skipped.includes(c.checkName)));
    expect(violations).toEqual([]);
    for (const name of skipped) expect(violationsOf(run, checks.filter((c) => c.checkName === name)).length).toBeGreaterThan(0);
  });
});
