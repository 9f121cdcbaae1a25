/**
 * Writes a counterexample as a complete scenario file that `mailsim run` replays (docs/reference.md §13):
 * the user's scenario with its `faults` replaced by the shrunk schedule, a description that says how
 * it was found, and — for a `no-duplicates` violation, which `mailsim run` does not check by itself —
 * one `delivered: ADDR, count: N` expectation per duplicated address, so the replay fails (exit 1)
 * for the same reason the search did.
 *
 * When the scenario came from a file, its YAML document is edited in place, so the user's comments,
 * key order and spelling survive; a plain object is written with the YAML library's defaults.
 */
import { type Document, isMap, isScalar, isSeq, parseDocument, stringify, YAMLMap, YAMLSeq } from 'yaml';
import type { Report } from '../report/types.js';
import { duplicatesIn } from '../testing/checks/duplicates.js';
import type { Violation } from '../testing/types.js';
import type { PlainFault } from '../testing/arbitraries/schedule.js';

export { writeCounterexample } from '../testing/counterexample.js';

export interface CounterexampleInput {
  /** The scenario file's text, or null when the scenario is a plain object. */
  sourceText: string | null;
  /** The scenario as a plain object (its `faults` are replaced). */
  scenario: Record<string, unknown>;
  faults: readonly PlainFault[];
  violations: readonly Violation[];
  /** The failing run's report (to count the messages sent to a duplicated address). */
  report: Report;
  /** How it was found, for the description: e.g. "mailsim explore --seed 42 (path 3:0:1)". */
  foundBy: string;
}

/** "no-duplicates: m1 <…> → bob@example.org landed 2 times …" — one line per violation. */
export function describeViolation(violation: Violation): string {
  return `${violation.check}: ${violation.message}`;
}

/** The names a no-duplicates violation carries: the command line's and the library's. */
const duplicateCheckNames = new Set(['no-duplicates', 'noDuplicates']);

/** Expectations that make a duplicate fail `mailsim run`: each duplicated address gets exactly one landing per message. */
export function duplicateExpectations(report: Report, violations: readonly Violation[]): Array<Record<string, unknown>> {
  if (!violations.some((v) => duplicateCheckNames.has(v.check))) return [];
  const addresses = [...new Set(duplicatesIn(report).map((d) => d.address))];
  return addresses.map((address) => {
    const messages = report.messages.filter((m) => m.recipients.some((r) => r.address.toLowerCase() === address.toLowerCase())).length;
    return { delivered: address, count: messages };
  });
}

function descriptionOf(input: CounterexampleInput, previous: unknown): string {
  const lines = [
    `Counterexample found by ${input.foundBy}.`,
    `The fault schedule was shrunk to ${input.faults.length} fault(s); violated:`,
    ...input.violations.map((v) => `  - ${describeViolation(v)}`),
  ];
  if (typeof previous === 'string' && previous.trim() !== '') lines.push('', previous.trimEnd());
  return `${lines.join('\n')}\n`;
}

/** The counterexample as YAML text. */
export function counterexampleText(input: CounterexampleInput): string {
  const extraExpect = duplicateExpectations(input.report, input.violations);
  if (input.sourceText !== null) {
    const doc = parseDocument(input.sourceText);
    if (isMap(doc.contents)) return editDocument(doc, input, extraExpect);
  }
  const plain: Record<string, unknown> = { ...input.scenario };
  plain.description = descriptionOf(input, plain.description);
  plain.faults = input.faults;
  if (extraExpect.length > 0) plain.expect = [...((plain.expect as unknown[] | undefined) ?? []), ...extraExpect];
  return stringify(plain, { lineWidth: 0 });
}

function flowNode(doc: Document, value: unknown) {
  const node = doc.createNode(value);
  if (isMap(node) || isSeq(node)) node.flow = true;
  return node;
}

function editDocument(doc: Document, input: CounterexampleInput, extraExpect: ReadonlyArray<Record<string, unknown>>): string {
  const faults = new YAMLSeq();
  for (const fault of input.faults) faults.items.push(flowNode(doc, fault));
  setKeepingOrder(doc, 'description', descriptionOf(input, doc.get('description')), 'name');
  setKeepingOrder(doc, 'faults', faults, 'traffic');
  if (extraExpect.length > 0) {
    const existing = doc.get('expect');
    const list = isSeq(existing) ? existing : new YAMLSeq();
    for (const item of extraExpect) list.items.push(flowNode(doc, item));
    if (list !== existing) doc.set('expect', list);
  }
  return doc.toString({ lineWidth: 0 });
}

/**
 * Sets a top-level key where the user had it; a new key goes right after `after` (description after
 * name) or before it (faults before traffic), where a person would look for it.
 */
function setKeepingOrder(doc: Document, key: string, value: unknown, neighbour: string): void {
  const map = doc.contents;
  if (!(map instanceof YAMLMap) || doc.has(key)) {
    doc.set(key, value);
    return;
  }
  const keyOf = (item: { key: unknown }) => (isScalar(item.key) ? item.key.value : item.key);
  const index = map.items.findIndex((item) => keyOf(item) === neighbour);
  const pair = doc.createPair(key, value);
  if (index < 0) map.items.push(pair);
  else map.items.splice(key === 'description' ? index + 1 : index, 0, pair);
}
