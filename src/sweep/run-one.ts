/**
 * Runs one (grid point, seed) of a sweep: builds the point's scenario from the base and its values,
 * validates it (already checked at load, so this only normalises), runs it with the seed and turns the
 * report into rows. A throw anywhere is that run's outcome `crash`, not the sweep's end. The same code
 * runs in the main thread (one worker) and in the pool's workers, so where a run ran changes nothing.
 */
import { runScenarioWorld } from '../runner/run.js';
import { validateScenarioObject } from '../scenario/load.js';
import type { Scenario } from '../scenario/schema-types.js';
import { gridPoint, runAt, scenarioAtPoint } from './grid.js';
import type { Sweep } from './load.js';
import { type RunResult, rowsOfCrash, rowsOfReport } from './rows.js';

/** Runs several runs of one sweep, keeping the last point's scenario (runs come point by point). */
export class SweepRunner {
  private cached: { point: number; scenario: Scenario } | null = null;

  /** `runWorld` is the runner's own; a test may pass one that throws, to see a crash recorded. */
  constructor(
    private readonly sweep: Sweep,
    private readonly runWorld: typeof runScenarioWorld = runScenarioWorld,
  ) {}

  run(index: number): RunResult {
    const { point, seed } = runAt(this.sweep.seeds, index);
    const grid = gridPoint(this.sweep.dimensions, point);
    const id = { run: index, point, params: grid.params, seed };
    try {
      const report = this.runWorld(this.scenarioOf(point), { seed }).report;
      return rowsOfReport(id, report);
    } catch (error) {
      return rowsOfCrash(id, error);
    }
  }

  /** The normalised scenario of a point. */
  scenarioOf(point: number): Scenario {
    if (this.cached?.point === point) return this.cached.scenario;
    const built = scenarioAtPoint(this.sweep.scenario, this.sweep.dimensions, gridPoint(this.sweep.dimensions, point));
    if (!built.ok) throw new Error(`point ${point}: ${built.message}`);
    const scenario = validateScenarioObject(built.value, this.sweep.scenarioFile);
    this.cached = { point, scenario };
    return scenario;
  }
}
