/**
 * mailsim's own fault API (`/api/mailsim/v1/faults`, issue 20 point 2): the faults of a scenario file's
 * `faults` list (docs/reference.md §6), switched on and off over HTTP while serve runs.
 *
 * Theory of operation. A request body is one item of a scenario's `faults` list — `{ "reply": { "on":
 * "rcpt", "code": 451 } }`, optionally with `at`, `until`, `chance` — and is validated by the scenario
 * loader itself (the same schema, normaliser and cross-check, so the same error messages), wrapped in
 * a one-host scenario whose host is serve's; a fault that leaves out `host` names serve's host. Only
 * kinds that act inside the SMTP server or on its listeners (`servedOn`: refuse, reply, drop, delay, rate-limit, greylist, tls-off, corrupt)
 * can be served, as for `--scenario` (src/bridge/server.ts). Each fault gets an id (`f1`, `f2`, …); removing it undoes it at
 * once. Its random draws (`chance`, and `probability` with `per: session`) come from its own stream,
 * `http-fault:SEED` when the request gives a `seed`, else `http-fault:ID`, so the same requests in the
 * same order against a serve started with the same `--seed` draw the same.
 */
import type { ServeHost } from '../bridge/serve-host.js';
import { servedTarget } from '../bridge/server.js';
import { type FaultAction, faultKindNames, faultKinds, kindOf } from '../faults/index.js';
import { analyseScenarioObject } from '../scenario/load.js';
import { BadInput, isRecord } from './bad-input.js';

export interface ServedFault {
  id: string;
  /** The request's fault item, `host` filled in. */
  fault: Record<string, unknown>;
  description: string;
  /** `scheduled` until `at`, `active` until `until` or removal, `ended` after `until`, `skipped` when `chance` said no. */
  state: 'scheduled' | 'active' | 'ended' | 'skipped';
}

interface Entry {
  view: ServedFault;
  undo: (() => void) | null;
  timers: number[];
}

/** Faults served at once (each is a check on every SMTP command of its stage). */
export const servedFaultsMax = 1_000;

const servedKindNames = faultKinds.filter((kind) => kind.servedOn !== undefined).map((kind) => kind.name);

export class ServedFaults {
  private readonly entries = new Map<string, Entry>();
  private nextId = 1;
  private readonly listeners = new Set<(change: { change: 'added' | 'removed' | 'active' | 'ended' | 'skipped'; fault: ServedFault }) => void>();

  constructor(private readonly host: ServeHost) {}

  list(): ServedFault[] {
    return [...this.entries.values()].map((entry) => entry.view);
  }

  /** Validates one fault item (BadInput on any problem), schedules it, returns its view. */
  add(body: unknown): ServedFault {
    if (this.entries.size >= servedFaultsMax) throw new BadInput(`at most ${servedFaultsMax} faults are served at once; remove some first`, 'body');
    const { item, seed } = this.withHost(body);
    const { action, atMs, untilMs, chance } = this.validate(item);
    const id = `f${this.nextId++}`;
    const view: ServedFault = { id, fault: item, description: kindOf(action).describe(action), state: 'scheduled' };
    const entry: Entry = { view, undo: null, timers: [] };
    this.entries.set(id, entry);
    this.emit('added', view);
    this.schedule(entry, action, atMs, untilMs, chance, `http-fault:${seed ?? id}`);
    return view;
  }

  /** Undoes and forgets a fault; false when there is none with that id. */
  remove(id: string): boolean {
    const entry = this.entries.get(id);
    if (entry === undefined) return false;
    this.host.clock.pulse(() => {
      for (const timer of entry.timers) this.host.sim.cancel(timer);
      entry.undo?.();
      entry.undo = null;
    });
    this.entries.delete(id);
    this.emit('removed', entry.view);
    return true;
  }

  clear(): void {
    for (const id of [...this.entries.keys()]) this.remove(id);
  }

  onChange(listener: (change: { change: 'added' | 'removed' | 'active' | 'ended' | 'skipped'; fault: ServedFault }) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(change: 'added' | 'removed' | 'active' | 'ended' | 'skipped', fault: ServedFault): void {
    for (const listener of this.listeners) listener({ change, fault });
  }

  /** The body as a fault item: `seed` taken out, `host` filled in where the action leaves it out. */
  private withHost(body: unknown): { item: Record<string, unknown>; seed: number | null } {
    if (!isRecord(body)) throw new BadInput('expected a JSON object: one fault, as in a scenario file\'s faults list (docs/reference.md §6)', 'body');
    const { seed, ...rest } = body;
    if (seed !== undefined && (typeof seed !== 'number' || !Number.isSafeInteger(seed) || seed < 0)) throw new BadInput('seed wants a whole number ≥ 0', 'body.seed');
    const item: Record<string, unknown> = { ...rest };
    for (const name of faultKindNames) {
      const action = item[name];
      if (isRecord(action) && action.host === undefined) item[name] = { host: this.host.name, ...action };
    }
    return { item, seed: typeof seed === 'number' ? seed : null };
  }

  private validate(item: Record<string, unknown>): { action: FaultAction; atMs: number; untilMs: number | null; chance: number | undefined } {
    const scenario = { name: 'mailsim serve HTTP fault', hosts: { [this.host.name]: { roles: ['mta'], domains: [...this.host.config.domains] } }, faults: [{ at: '0s', ...item }] };
    const analysis = analyseScenarioObject(scenario, 'request');
    const problem = analysis.errors[0];
    if (problem !== undefined) {
      const where = problem.path.replace(/^faults\[0\]\.?/, '');
      throw new BadInput(analysis.errors.map((p) => `${p.path.replace(/^faults\[0\]\.?/, '') || '(the fault)'}: ${p.message}`).join('; '), where === '' ? 'body' : `body.${where}`);
    }
    const fault = analysis.scenario?.faults[0];
    if (fault === undefined) throw new BadInput('no fault in the request', 'body');
    if (kindOf(fault.action).servedOn === undefined) {
      throw new BadInput(`mailsim serve applies only faults inside its SMTP server or on its listeners (${servedKindNames.join(', ')}); ${fault.action.kind} acts on a network, DNS or hosts it does not simulate`, `body.${fault.action.kind}`);
    }
    return { action: fault.action, atMs: fault.atMs, untilMs: fault.untilMs, chance: fault.chance };
  }

  private schedule(entry: Entry, action: FaultAction, atMs: number, untilMs: number | null, chance: number | undefined, stream: string): void {
    const host = this.host;
    host.clock.pulse(() => {
      const startMs = host.sim.nowMs;
      entry.timers.push(
        host.sim.at(startMs + atMs, () => {
          if (chance !== undefined && !host.sim.rng.stream(`${stream}:chance`).chance(chance)) return this.settle(entry, 'skipped');
          entry.undo = kindOf(action).apply(action, { ...servedTarget(host, 0), random: () => host.sim.rng.stream(stream) });
          this.settle(entry, 'active');
          if (untilMs === null) return;
          entry.timers.push(
            host.sim.at(Math.max(startMs + untilMs, host.sim.nowMs), () => {
              entry.undo?.();
              entry.undo = null;
              this.settle(entry, 'ended');
            }),
          );
        }),
      );
    });
  }

  private settle(entry: Entry, state: 'active' | 'ended' | 'skipped'): void {
    entry.view.state = state;
    this.emit(state, entry.view);
  }
}
