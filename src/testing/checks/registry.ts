/**
 * The built-in checks by their command-line name (names.ts), each made with its default options.
 * `expect` and `expectations` are one check under two names (the older one kept for `mailsim explore`).
 */
import type { MailCheck } from '../types.js';
import { bounceWellFormed } from './bounce-well-formed.js';
import { deliveredOrBounced } from './delivered-or-bounced.js';
import { atLeastOnce, noDuplicates } from './duplicates.js';
import { expectations, reportInvariants } from './expectations.js';
import { mxOrder } from './mx-order.js';
import type { BuiltInCheckName } from './names.js';
import { noBackscatterLoop } from './no-backscatter-loop.js';
import { noLoss } from './no-loss.js';
import { noOpenRelay } from './no-open-relay.js';
import { retrySchedule } from './retry-schedule.js';

const factories: Record<BuiltInCheckName, () => MailCheck> = {
  expect: expectations,
  invariants: reportInvariants,
  'no-duplicates': noDuplicates,
  'no-loss': noLoss,
  'delivered-or-bounced': deliveredOrBounced,
  'at-least-once': atLeastOnce,
  'mx-order': mxOrder,
  'retry-schedule': retrySchedule,
  'bounce-well-formed': bounceWellFormed,
  'no-open-relay': noOpenRelay,
  'no-backscatter-loop': noBackscatterLoop,
  expectations,
};

/**
 * The built-in check a command-line name stands for, with its default options; its violations carry
 * that name (`no-duplicates: …`), as the command line prints them.
 */
export function builtInCheckNamed(name: BuiltInCheckName): MailCheck {
  const made = factories[name]();
  return Object.assign((run: Parameters<MailCheck>[0]) => made(run).map((v) => ({ ...v, check: name })), { checkName: name });
}
