/**
 * `mailsim/testing/vitest` — vitest matchers over a run's report (docs/testing.md, "Matchers"):
 *
 *     import { expect } from 'vitest';
 *     import { mailMatchers } from 'mailsim/testing/vitest';
 *     expect.extend(mailMatchers);
 *     expect(runMail('scenarios/backup-mx.yaml')).toDeliver('bob@example.org', { within: '3h', via: 'mx2.example.org' });
 *
 * (or `import 'mailsim/testing/vitest/setup'`, or that path in vitest's `setupFiles`, which does the
 * `expect.extend`). The subject is a `MailRun` (`runMail`), a `Report` or a `withWorld` handle. A
 * failure shows the journeys of the messages concerned, not the report object.
 *
 * Theory of operation. Each matcher is a pure function of the report (one file each) that returns
 * vitest's `{ pass, message }`; `this.isNot` only chooses the wording, and for `toDeliver`/`toBounce`
 * what `.not` means ("no message did"). This module imports vitest's types only, so `mailsim/testing`
 * itself never needs vitest (an optional peer dependency); the `declare module 'vitest'` below makes
 * `expect(run).toDeliver(…)` type-check wherever this module is imported.
 */
import type { MatcherState } from 'vitest';
import { type BounceOptions, toBounce } from './to-bounce.js';
import { toBeFetched } from './to-be-fetched.js';
import { type DeliverOptions, toDeliver } from './to-deliver.js';
import { toHaveNoLoss } from './to-have-no-loss.js';
import type { MatcherOutcome } from './subject.js';

export type { BounceOptions } from './to-bounce.js';
export type { DeliverOptions } from './to-deliver.js';
export type { MailSubject } from './subject.js';

/** The mail matchers, as they read on `expect(subject)`. */
export interface MailMatchers<R = unknown> {
  /**
   * Every message sent to `address` landed in a mailbox: within `within` of its submission (a duration
   * string like '10m', or ms), having passed through `via`, with `count` landings in all when given.
   * With `.not`: none landed so.
   */
  toDeliver(address: string, options?: DeliverOptions): R;
  /**
   * Every message sent to `address` failed for it and its sender got a DSN, with a status starting with
   * `status` when given ('5.1.1', '5.'). With `.not`: none bounced so.
   */
  toBounce(address: string, options?: BounceOptions): R;
  /** A POP3 or IMAP fetch retrieved at least one message of `address` (of anyone, without it). */
  toBeFetched(address?: string): R;
  /** Every recipient accepted with a 2xx was delivered, bounced, discarded or is still queued. */
  toHaveNoLoss(): R;
}

declare module 'vitest' {
  // biome-ignore lint/suspicious/noExplicitAny: vitest declares Assertion<T = any>; an augmentation must repeat it
  interface Assertion<T = any> extends MailMatchers<T> {}
  interface AsymmetricMatchersContaining extends MailMatchers {}
}

/** The matchers for `expect.extend(mailMatchers)`. */
export const mailMatchers = {
  toDeliver(this: MatcherState, received: unknown, address: string, options: DeliverOptions = {}): MatcherOutcome {
    return toDeliver(received, address, options, this.isNot);
  },
  toBounce(this: MatcherState, received: unknown, address: string, options: BounceOptions = {}): MatcherOutcome {
    return toBounce(received, address, options, this.isNot);
  },
  toBeFetched(this: MatcherState, received: unknown, address?: string): MatcherOutcome {
    return toBeFetched(received, address, this.isNot);
  },
  toHaveNoLoss(this: MatcherState, received: unknown): MatcherOutcome {
    return toHaveNoLoss(received, this.isNot);
  },
};
