/**
 * `mailsim/testing` — property-based and scenario tests of mail setups (docs/testing.md):
 * arbitraries that draw scenarios, checks that judge a run, `assertMail` that searches and shrinks,
 * and in-process servers for application tests. Matchers for vitest live in `mailsim/testing/vitest`.
 */
export type { MailCheck, MailRun, ScenarioObject, Violation } from './types.js';
export { type RunMailOptions, runMail, scenarioObjectOf } from './run.js';
export { type CheckResult, check, violationsOf } from './check.js';
export { type WithWorldOptions, type WorldFault, type WorldFetch, type WorldHandle, type WorldSend, type MailboxMessage, type QueueListing, withWorld } from './with-world.js';
export type { Duration } from './duration.js';
export { type Lane, journey, journeys, lanesTo } from './journey.js';
