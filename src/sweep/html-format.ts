/**
 * How `sweep.html` names parameters and shows their values and the summary's numbers. A parameter is
 * a JSON Pointer (RFC 6901) into the scenario, often long (`/hosts/smtp.sender.net/queue/schedule`);
 * the page labels it by the shortest tail of its segments that no other parameter of the sweep
 * shares (`schedule`, or `0/until` beside `1/until`) and keeps the whole pointer in a tooltip.
 */
import { formatDurationMs } from '../schema/units.js';
import { parsePointer } from './pointer.js';
import type { Estimate, ParamValue, Proportion } from './summary-types.js';

/** A pointer's reference tokens, unescaped (RFC 6901, src/sweep/pointer.ts). */
function tokens(pointer: string): string[] {
  const parsed = parsePointer(pointer);
  return parsed.ok ? parsed.tokens : [];
}

/** Each parameter's short label: its shortest tail of tokens that is unique among `parameters`. */
export function shortNames(parameters: readonly string[]): Map<string, string> {
  const split = parameters.map(tokens);
  const names = new Map<string, string>();
  parameters.forEach((pointer, i) => {
    const own = split[i]!;
    for (let take = 1; take <= own.length; take++) {
      const tail = own.slice(-take).join('/');
      const clash = split.some((other, j) => j !== i && other.slice(-take).join('/') === tail);
      if (!clash || take === own.length) {
        names.set(pointer, tail === '' ? pointer : tail);
        return;
      }
    }
    names.set(pointer, pointer === '' ? '(whole scenario)' : pointer);
  });
  return names;
}

/** A parameter value as text: strings as written, anything else as JSON. */
export function formatValue(value: ParamValue): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return '(unset)';
  return JSON.stringify(value);
}

/** The key that tells two parameter values apart (JSON of the value). */
export function valueKey(value: ParamValue): string {
  return value === undefined ? 'undefined' : JSON.stringify(value);
}

/** `0.975` → `97.5 %`; null → `—`. */
export function formatPercent(p: number | null): string {
  return p === null ? '—' : `${(p * 100).toFixed(1)} %`;
}

/** A proportion with its interval: `97.5 % [95.0–99.0]`, or `—` with no recipients. */
export function formatProportion(proportion: Proportion): string {
  const { p, low, high } = proportion;
  if (p === null) return '—';
  const band = low === null || high === null ? '' : ` [${(low * 100).toFixed(1)}–${(high * 100).toFixed(1)}]`;
  return `${formatPercent(p)}${band}`;
}

/** A delay estimate, e.g. `4m 10s`; its bootstrap interval goes in a tooltip. */
export function formatDelay(estimate: Estimate | undefined): { text: string; title: string } {
  if (estimate === undefined) return { text: '—', title: 'no recipient delivered' };
  return { text: formatDurationMs(estimate.value), title: `interval ${formatDurationMs(estimate.low)} – ${formatDurationMs(estimate.high)}` };
}
