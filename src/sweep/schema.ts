/**
 * The sweep file's schema (docs/research.md §2), with the building blocks of the scenario schema so a
 * sweep file gets the same messages, "did you mean" and JSON Schema (schema/mailsim-sweep.schema.json)
 * as a scenario file. What a pointer names and whether each value fits the scenario is checked later,
 * by src/sweep/load.ts, against the scenario schema itself.
 */
import { z } from 'zod';
import { duration, list, strictObject, wholeNumber } from '../schema/base.js';
import { seedMax, seedMin } from '../schema/defaults.js';

/** Bounds that keep a sweep file something a machine can hold (docs/research.md §2). */
export const sweepLimits = {
  seedsMax: 1_000_000,
  valuesPerPointerMax: 10_000,
  pointersMax: 32,
  zipGroupsMax: 32,
  withinMax: 16,
  runsMax: 100_000_000,
  bootstrapMax: 100_000,
} as const;

export const defaultWithin = ['1h', '1d'] as const;
export const defaultBootstrap = 1000;
export const defaultConfidence = 0.95;

const values = list(z.unknown(), 'the values this pointer takes, one per grid step', sweepLimits.valuesPerPointerMax).min(1, { error: 'give at least one value' });

const pointerMap = (description: string) =>
  z
    .record(z.string().startsWith('/', { error: 'expected a JSON Pointer such as /faults/0/until (RFC 6901: it starts with "/")' }), values, { error: `expected a mapping (${description})` })
    .meta({ description });

export const sweepSchema = strictObject(
  {
    $schema: z.string().optional().meta({ description: 'the JSON Schema, for editors' }),
    name: z.string().min(1).max(200).optional().meta({ description: "the sweep's name; default: the file's base name" }),
    description: z.string().max(10_000).optional().meta({ description: 'what the sweep asks, in words' }),
    scenario: z
      .union([z.string().min(1), z.record(z.string(), z.unknown())], { error: 'expected a scenario file path (relative to this file) or an inline scenario mapping' })
      .meta({ description: 'the base scenario: a path relative to the sweep file, or the scenario inline' }),
    seeds: z
      .union([wholeNumber('seeds 1..N per grid point', 1, sweepLimits.seedsMax), list(wholeNumber('a seed', seedMin, seedMax), 'these seeds at every grid point', sweepLimits.seedsMax).min(1, { error: 'give at least one seed' })], {
        error: 'expected a count of seeds (1, 2 … N) or a list of seeds',
      })
      .meta({ description: 'the seeds per grid point: a count N (seeds 1..N) or a list' }),
    vary: pointerMap('JSON Pointer into the scenario → list of values; each entry is one dimension of the grid').optional(),
    zip: list(pointerMap('pointers whose value lists have equal length and move together: one dimension'), 'groups of parameters that move together', sweepLimits.zipGroupsMax).optional(),
    measure: strictObject(
      {
        within: list(duration('delivered within this time of submission'), 'the "delivered within" thresholds', sweepLimits.withinMax).min(1).optional(),
        bootstrap: wholeNumber('bootstrap resamples for the delay quantiles\' intervals', 10, sweepLimits.bootstrapMax, defaultBootstrap).optional(),
        confidence: z.number({ error: 'expected a confidence level such as 0.95' }).gt(0.5).lt(1).optional().meta({ description: 'the intervals\' confidence level', default: defaultConfidence }),
      },
      'what to measure',
    ).optional(),
  },
  'a mailsim sweep',
);

export type SweepInput = z.input<typeof sweepSchema>;
export type SweepParsed = z.output<typeof sweepSchema>;
