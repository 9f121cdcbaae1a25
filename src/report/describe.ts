/** One-line, human descriptions of scenario items for reports. */
import type { FaultAction } from '../scenario/schema-types.js';
import { formatDurationMs as fmtMs } from '../schema/units.js';


export function describeFault(action: FaultAction): string {
  switch (action.kind) {
    case 'down':
      return `${action.host} is down`;
    case 'up':
      return `${action.host} boots`;
    case 'refuse':
      return `${action.host} refuses port ${action.port}`;
    case 'partition':
      return `partition ${action.groups.map((g) => `[${g.join(', ')}]`).join(' | ')}`;
    case 'latency':
      return `latency ${action.between[0]} ↔ ${action.between[1]} ${action.latency.minMs === action.latency.maxMs ? fmtMs(action.latency.minMs) : `${fmtMs(action.latency.minMs)}–${fmtMs(action.latency.maxMs)}`}`;
    case 'dns':
      return `DNS ${action.name}${action.type ? ` ${action.type.toUpperCase()}` : ''} answers ${action.rcode}`;
    case 'dns-set':
      return `DNS records replaced for ${action.entries.map((e) => e.name).join(', ')}`;
    case 'reply':
      return `${action.host} answers ${action.code} ${action.text} at ${action.on}${action.times !== null ? ` (${action.times}×)` : ''}${action.probability !== null ? ` (p=${action.probability})` : ''}`;
    case 'drop':
      return `${action.host} drops the connection after ${action.after}${action.times !== null ? ` (${action.times}×)` : ''}${action.probability !== null ? ` (p=${action.probability})` : ''}`;
    case 'flaky':
      return `connections to ${action.host} time out with p=${action.probability}`;
  }
}
