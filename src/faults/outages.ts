/**
 * `outages: { host, mtbf, mttr, distribution, sigma }` (docs/reference.md §6): a stochastic fault
 * process — while it is in force the host (or a list of hosts, together: a correlated episode such as
 * every MX of one domain failing at once) alternates between up and down, each up-time drawn with
 * mean `mtbf` (mean time between failures) and each down-time with mean `mttr` (mean time to
 * repair), exponential (memoryless, the classic availability model) or log-normal (heavy-tailed
 * repairs). It starts up; a down spell is a `down` window (so it composes with the other power
 * faults, "How faults combine"); `until` stops the process and ends a spell in progress. The draws
 * come from the fault's own stream, so adding it shifts no other random choice.
 */
import { z } from 'zod';
import { duration, hostName, oneOrList, strictObject } from '../schema/base.js';
import { scenarioLimits } from '../schema/shared.js';
import { exponentialMs, logNormalMs } from '../sim/distributions.js';
import type { RandomStream } from '../sim/random.js';
import { formatDuration, formatDurationMs } from '../schema/units.js';
import { defineFaultKind, type FaultTarget } from './kind.js';
import { hostDraw, needsAHost } from './shared.js';

/** The log-normal shape when none is given: σ = 1 (a repair 2.7× longer than typical is common). */
export const defaultOutageSigma = 1;

type Distribution = 'exponential' | 'lognormal';

export const outages = defineFaultKind({
  name: 'outages',
  keys: {
    outages: strictObject(
      {
        host: oneOrList(hostName('a host that fails and recovers'), 'the host, or hosts that fail and recover together', scenarioLimits.namesPerListMax),
        mtbf: duration('mean up-time between failures'),
        mttr: duration('mean down-time of a failure'),
        distribution: z.enum(['exponential', 'lognormal']).optional().meta({ description: 'of the up- and down-times', default: 'exponential' }),
        sigma: z.number().min(0.05).max(5).optional().meta({ description: 'log-normal shape: the standard deviation of ln(time)', default: defaultOutageSigma }),
      },
      'the host fails and recovers at random while the fault is in force',
    ).optional(),
  },
  refine(item, ctx) {
    const fields = item.outages;
    if (typeof fields !== 'object' || fields === null) return;
    const { mtbf, mttr, distribution, sigma } = fields as Record<string, unknown>;
    if (mtbf === 0) ctx.addIssue({ code: 'custom', message: 'mtbf must be greater than 0', path: ['outages', 'mtbf'] });
    if (mttr === 0) ctx.addIssue({ code: 'custom', message: 'mttr must be greater than 0', path: ['outages', 'mttr'] });
    if (sigma !== undefined && distribution !== 'lognormal') ctx.addIssue({ code: 'custom', message: 'sigma goes with distribution: lognormal', path: ['outages', 'sigma'] });
  },
  normalise(item, tools) {
    const o = item.outages;
    const distribution: Distribution = o.distribution ?? 'exponential';
    const hosts = (Array.isArray(o.host) ? o.host : [o.host]).map((name) => tools.name(name));
    return { kind: 'outages', hosts, mtbfMs: o.mtbf, mttrMs: o.mttr, distribution, sigma: distribution === 'lognormal' ? (o.sigma ?? defaultOutageSigma) : null };
  },
  check(action, tools, path) {
    action.hosts.forEach((host, i) => {
      tools.knownHost(host, action.hosts.length === 1 ? [...path, 'outages', 'host'] : [...path, 'outages', 'host', i]);
    });
  },
  apply: (action, target) => startOutages(action, target),
  describe: (action) =>
    `${action.hosts.join(' + ')} ${action.hosts.length === 1 ? 'fails and recovers' : 'fail and recover together'} at random (MTBF ${formatDurationMs(action.mtbfMs)}, MTTR ${formatDurationMs(action.mttrMs)}, ${action.distribution}${action.sigma === null ? '' : ` σ=${action.sigma}`})`,
  draw: {
    weight: 1,
    available: needsAHost,
    arbitrary: (universe, fc) =>
      fc
        .tuple(hostDraw(universe, fc), fc.integer({ min: 10, max: 360 }), fc.integer({ min: 1, max: 120 }), fc.constantFrom('exponential', 'lognormal'))
        .map(([name, mtbfMin, mttrMin, distribution]) => ({ outages: { host: name, mtbf: formatDuration(mtbfMin * 60_000), mttr: formatDuration(mttrMin * 60_000), distribution } })),
  },
});

interface OutagesAction {
  /** One host, or several that fail and recover together (a correlated episode). */
  hosts: string[];
  mtbfMs: number;
  mttrMs: number;
  distribution: Distribution;
  sigma: number | null;
}

/** Runs the up/down alternation; returns what stops it (and ends a down spell in progress). */
function startOutages(action: OutagesAction, target: FaultTarget): () => void {
  const stream = target.random();
  const draw = (meanMs: number) => drawMs(stream, action, meanMs);
  let cancelTimer: () => void = () => {};
  let endSpell: (() => void) | null = null;
  const fail = () => {
    const ends = action.hosts.map((host) => target.power(host, 'down'));
    endSpell = () => {
      for (const end of ends) end();
    };
    cancelTimer = target.after(draw(action.mttrMs), repair);
  };
  const repair = () => {
    endSpell?.();
    endSpell = null;
    cancelTimer = target.after(draw(action.mtbfMs), fail);
  };
  cancelTimer = target.after(draw(action.mtbfMs), fail);
  return () => {
    cancelTimer();
    endSpell?.();
    endSpell = null;
  };
}

function drawMs(stream: RandomStream, action: OutagesAction, meanMs: number): number {
  return action.distribution === 'lognormal' ? logNormalMs(stream, meanMs, action.sigma ?? defaultOutageSigma) : exponentialMs(stream, meanMs);
}
