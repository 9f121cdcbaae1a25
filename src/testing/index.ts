/**
 * `mailsim/testing` — property-based and scenario tests of mail setups (docs/testing.md):
 * arbitraries that draw scenarios, checks that judge a run, `assertMail` that searches and shrinks,
 * and in-process servers for application tests. Matchers for vitest live in `mailsim/testing/vitest`.
 */
export type { MailCheck, MailRun, ScenarioObject, Violation } from './types.js';
export { type RunMailOptions, runMail, scenarioObjectOf } from './run.js';
export { type CheckResult, check, violationsOf } from './check.js';
export { type FaultScheduleOptions, faultSchedule } from './arbitraries/fault-schedule.js';
export { type WorldArbitraryOptions, world } from './arbitraries/world.js';
export type { DomainKind } from './arbitraries/world-types.js';
export { type TrafficOptions, traffic } from './arbitraries/traffic.js';
export type { ScenarioInput } from './arbitraries/scenario-input.js';
export type { FaultKindName } from './arbitraries/schedule.js';
export { type AssertMailOptions, type AssertMailSummary, assertMail, MailPropertyError } from './assert-mail.js';
export { expectMail, MailViolationError, mailProperty } from './expect-mail.js';
export type { Duration } from './duration.js';
export { type WithWorldOptions, type WorldFault, type WorldFetch, type WorldHandle, type WorldSend, type MailboxMessage, type QueueListing, withWorld } from './with-world.js';
export { type Lane, journey, journeys, lanesTo } from './journey.js';
export type { FiledMessage, FieldMatcher, MessageFilter } from './filed-messages.js';
export { type ServerUser, type StartServerOptions, startServer, type TestServer, type WaitForMessageOptions } from './server.js';
export type { FaultItem, ServedHostOptions } from './server-options.js';
export { type AttemptGroup, attemptGroups, downIntervals, type QueueAttempt, type QueueEntryView, queueEntries } from './checks/trace-views.js';
export { noLoss } from './checks/no-loss.js';
export { type DeliveredOrBouncedOptions, deliveredOrBounced } from './checks/delivered-or-bounced.js';
export { atLeastOnce, type Duplicate, duplicatesIn, noDuplicates } from './checks/duplicates.js';
export { mxOrder } from './checks/mx-order.js';
export { retrySchedule } from './checks/retry-schedule.js';
export { bounceWellFormed } from './checks/bounce-well-formed.js';
export { noOpenRelay } from './checks/no-open-relay.js';
export { noBackscatterLoop } from './checks/no-backscatter-loop.js';
export { expectations, reportInvariants } from './checks/expectations.js';
export { type BuiltInCheckName, builtInCheckNames, defaultCheckNames } from './checks/names.js';
export { builtInCheckNamed } from './checks/registry.js';
