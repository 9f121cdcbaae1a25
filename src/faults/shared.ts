/**
 * Pieces several fault kinds share: the schema fragments of a scripted SMTP fault (host, stage,
 * `times` or `probability`), their description, and their fast-check draws.
 */
import { z } from 'zod';
import { smtpStageNames } from '../protocols/smtp/stages.js';
import { wholeNumber } from '../schema/base.js';
import type { FastCheckModule } from './kind.js';
import type { FaultUniverse } from './universe.js';

/** An SMTP stage key (`on`, `after`). */
export function stageKey(description: string) {
  return z.enum(smtpStageNames as [string, ...string[]], { error: `expected one of ${smtpStageNames.join(', ')}` }).meta({ description });
}

/** `times: N`: only the next N occurrences. */
export const timesKey = wholeNumber('only the next N occurrences', 1, 1_000_000).optional();

/** `times` and `probability` exclude each other (either counts occurrences down or draws each one). */
export function checkTimesOrProbability(item: Record<string, unknown>, key: string, ctx: z.RefinementCtx): void {
  const inner = item[key];
  if (typeof inner === 'object' && inner !== null && !Array.isArray(inner)) {
    const fields = inner as Record<string, unknown>;
    if (fields.times !== undefined && fields.probability !== undefined) {
      ctx.addIssue({ code: 'custom', message: 'give times or probability, not both', path: [key, 'probability'] });
    }
  }
}

/** ` (2×)`, ` (p=0.5)` or nothing. */
export function describeOccurrences(occurrences: { times: number | null; probability: number | null }): string {
  return `${occurrences.times !== null ? ` (${occurrences.times}×)` : ''}${occurrences.probability !== null ? ` (p=${occurrences.probability})` : ''}`;
}

/** A host of the universe. */
export function hostDraw(universe: FaultUniverse, fc: FastCheckModule) {
  return fc.constantFrom(...universe.hosts);
}

/** A stage of the universe; `dot` twice as often: the one stage where a fault means the server committed (docs/delivery.md E3). */
export function stageDraw(universe: FaultUniverse, fc: FastCheckModule) {
  const stages = universe.stages ?? smtpStageNames;
  return fc.oneof(...stages.map((name) => ({ weight: name === 'dot' ? 2 : 1, arbitrary: fc.constant(name) })));
}

/** `times: N`, `probability: p`, or neither (every occurrence while the fault lasts). */
export function occurrenceDraw(fc: FastCheckModule) {
  return fc.oneof(
    { weight: 3, arbitrary: fc.integer({ min: 1, max: 3 }).map((times): Record<string, number> => ({ times })) },
    { weight: 1, arbitrary: fc.constant({}) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 9 }).map((tenths): Record<string, number> => ({ probability: tenths / 10 })) },
  );
}

/** Kinds that name one host: available when the universe has one. */
export const needsAHost = (universe: FaultUniverse) => universe.hosts.length > 0;
