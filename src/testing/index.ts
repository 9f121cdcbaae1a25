/**
 * `mailsim/testing` — property-based and scenario tests of mail setups (docs/testing.md):
 * arbitraries that draw scenarios, checks that judge a run, `assertMail` that searches and shrinks,
 * and in-process servers for application tests. Matchers for vitest live in `mailsim/testing/vitest`.
 */
export type { MailCheck, MailRun, ScenarioObject, Violation } from './types.js';
export { type RunMailOptions, runMail, scenarioObjectOf } from './run.js';
export { type CheckResult, check, violationsOf } from './check.js';
export type { FiledMessage, FieldMatcher, MessageFilter } from './filed-messages.js';
export { type ServerUser, type StartServerOptions, startServer, type TestServer, type WaitForMessageOptions } from './server.js';
export type { FaultItem, ServedHostOptions } from './server-options.js';
