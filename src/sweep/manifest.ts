/**
 * `sweep.json`, the manifest of a sweep's output directory (docs/research.md §4): which sweep (its hash,
 * not its path, so shards written on other machines compare equal), which mailsim, which shard. Resume
 * and merge read it to refuse outputs of another sweep or another version.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VERSION } from '../schema/version.js';
import { SweepUsageError } from './errors.js';
import { type Sweep, sweepHashOf } from './load.js';
import type { Shard } from './shard.js';

export const manifestFormat = 'mailsim-sweep/1';

export const outputFiles = {
  manifest: 'sweep.json',
  runs: 'runs.jsonl',
  recipients: 'recipients.jsonl',
  runsParquet: 'runs.parquet',
  recipientsParquet: 'recipients.parquet',
  summary: 'summary.json',
  html: 'sweep.html',
  reports: 'reports',
} as const;

export interface Manifest {
  format: typeof manifestFormat;
  name: string;
  sweepHash: string;
  version: string;
  points: number;
  seedsPerPoint: number;
  runs: number;
  parameters: string[];
  shard: Shard;
  /** The loaded sweep itself (less its file path), so a merge needs only the shards' directories. */
  definition: SweepDefinition;
}

export type SweepDefinition = Omit<Sweep, 'file'>;

export function manifestOf(sweep: Sweep, shard: Shard): Manifest {
  return {
    format: manifestFormat,
    name: sweep.name,
    sweepHash: sweep.sweepHash,
    version: VERSION,
    points: sweep.points,
    seedsPerPoint: sweep.seeds.length,
    runs: sweep.runs,
    parameters: sweep.parameters,
    shard,
    definition: definitionOf(sweep),
  };
}

function definitionOf(sweep: Sweep): SweepDefinition {
  const { file: _file, ...definition } = sweep;
  return definition;
}

/** The sweep a manifest describes, checked against its hash. */
export function sweepOfManifest(manifest: Manifest, dir: string): Sweep {
  const sweep: Sweep = { ...manifest.definition, file: join(dir, outputFiles.manifest) };
  if (sweepHashOf(sweep) !== manifest.sweepHash) throw new SweepUsageError(`${join(dir, outputFiles.manifest)}: its sweep definition does not match its hash (the file was edited?)`);
  return sweep;
}

export function manifestText(manifest: Manifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

/** The manifest in `dir`, or null when there is none; a manifest that is not one is an error. */
export function readManifest(dir: string): Manifest | null {
  const path = join(dir, outputFiles.manifest);
  if (!existsSync(path)) return null;
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new SweepUsageError(`${path}: not a sweep manifest (${error instanceof Error ? error.message : String(error)})`);
  }
  const m = value as Partial<Manifest>;
  if (m.format !== manifestFormat || typeof m.sweepHash !== 'string' || typeof m.runs !== 'number' || typeof m.shard?.index !== 'number' || typeof m.shard?.count !== 'number' || typeof m.definition !== 'object') {
    throw new SweepUsageError(`${path}: not a ${manifestFormat} manifest`);
  }
  return m as Manifest;
}
