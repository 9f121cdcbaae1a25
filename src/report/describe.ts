/** One-line, human descriptions of scenario items for reports. */
import { kindOf } from '../faults/index.js';
import type { FaultAction } from '../scenario/schema-types.js';

/** A fault's action in one line: its kind says how (src/faults/). */
export function describeFault(action: FaultAction): string {
  return kindOf(action).describe(action);
}
