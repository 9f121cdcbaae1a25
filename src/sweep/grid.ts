/**
 * The grid of a sweep (docs/research.md §2): each `vary` entry is one dimension, each `zip` group one
 * dimension whose pointers move together; the grid is their cartesian product in file order, the last
 * dimension varying fastest (like nested loops written top to bottom). Points are numbered from 0 in
 * that order, and runs are numbered point by point: run = point × seeds + seed index. Everything here
 * is arithmetic on indexes, so a worker, a shard and a merge agree on what run N is without talking.
 */
import { type SetResult, setAtPointer } from './pointer.js';

/** One pointer of a dimension: what it names and where its value list is in the sweep file. */
export interface Parameter {
  pointer: string;
  tokens: readonly string[];
  values: readonly unknown[];
  /** The key path of its value list in the sweep file, e.g. ['vary', '/faults/0/until']. */
  sweepPath: ReadonlyArray<string | number>;
}

/** A dimension: one `vary` entry (one parameter) or one `zip` group (its parameters, equal lengths). */
export interface Dimension {
  parameters: readonly Parameter[];
  length: number;
}

export interface GridPoint {
  point: number;
  /** Per dimension, the index of the value this point takes. */
  steps: readonly number[];
  /** pointer → value, in grid order. */
  params: Record<string, unknown>;
}

export function pointCount(dimensions: readonly Dimension[]): number {
  return dimensions.reduce((product, d) => product * d.length, 1);
}

/** The point with this number. */
export function gridPoint(dimensions: readonly Dimension[], point: number): GridPoint {
  const steps = new Array<number>(dimensions.length);
  let rest = point;
  for (let d = dimensions.length - 1; d >= 0; d--) {
    const length = (dimensions[d] as Dimension).length;
    steps[d] = rest % length;
    rest = Math.floor(rest / length);
  }
  const params: Record<string, unknown> = {};
  dimensions.forEach((dimension, d) => {
    for (const parameter of dimension.parameters) params[parameter.pointer] = parameter.values[steps[d] as number];
  });
  return { point, steps, params };
}

/** The base scenario with this point's values set; the first pointer that cannot be set is the error. */
export function scenarioAtPoint(base: unknown, dimensions: readonly Dimension[], point: GridPoint): SetResult & { parameter?: Parameter } {
  let value = base;
  for (const [d, dimension] of dimensions.entries()) {
    for (const parameter of dimension.parameters) {
      const set = setAtPointer(value, parameter.tokens, parameter.values[point.steps[d] as number]);
      if (!set.ok) return { ...set, parameter };
      value = set.value;
    }
  }
  return { ok: true, value };
}

/** Which run this is: its point and seed. */
export function runAt(seeds: readonly number[], run: number): { point: number; seedIndex: number; seed: number } {
  const point = Math.floor(run / seeds.length);
  const seedIndex = run % seeds.length;
  return { point, seedIndex, seed: seeds[seedIndex] as number };
}
