/**
 * The world arbitraries live in src/testing/arbitraries/ (mailsim/testing's `world()`; `worldCase`
 * and `worldWithFaults` for this suite). This file only keeps the type import of checks.ts working.
 */
export type { DomainInfo, DomainKind, WorldCase, WorldInfo } from '../../src/testing/arbitraries/world-types.js';
