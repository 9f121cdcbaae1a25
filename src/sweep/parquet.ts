/**
 * The sweep's tables as Parquet (docs/research.md §4), for DuckDB, pandas and polars: `runs.parquet`
 * and `recipients.parquet`, the same rows as the JSON lines, with each parameter a column of its own
 * named by its pointer (numbers when every value of it is a number, text otherwise: a string as it is,
 * anything else as JSON). Written with hyparquet-writer's incremental writer, a row group at a time
 * from the JSON lines, so memory does not grow with the sweep. Times and seeds are INT64, counts INT32.
 */
import { ParquetWriter, fileWriter, schemaFromColumnData } from 'hyparquet-writer';
import { readJsonLines } from './jsonl.js';
import type { Sweep } from './load.js';
import type { RecipientRow, RunRow } from './rows.js';

type ParquetType = 'INT32' | 'INT64' | 'DOUBLE' | 'STRING' | 'BOOLEAN';

interface Column<Row> {
  name: string;
  type: ParquetType;
  get(row: Row): unknown;
}

const rowGroupRows = 50_000;

const int64 = (value: number | null) => (value === null ? null : BigInt(value));

const runColumns: Array<Column<RunRow>> = [
  { name: 'run', type: 'INT32', get: (r) => r.run },
  { name: 'point', type: 'INT32', get: (r) => r.point },
  { name: 'seed', type: 'INT64', get: (r) => int64(r.seed) },
  { name: 'outcome', type: 'STRING', get: (r) => r.outcome },
  { name: 'passed', type: 'BOOLEAN', get: (r) => r.passed },
  { name: 'traceDigest', type: 'STRING', get: (r) => r.traceDigest },
  { name: 'endedAtMs', type: 'INT64', get: (r) => int64(r.endedAtMs) },
  { name: 'events', type: 'INT64', get: (r) => int64(r.events) },
  ...(['recipients', 'delivered', 'bounced', 'deferred', 'rejected', 'discarded', 'lost', 'duplicated', 'attempts'] as const).map(
    (name): Column<RunRow> => ({ name, type: 'INT32', get: (r) => r[name] }),
  ),
  { name: 'error', type: 'STRING', get: (r) => r.error },
];

const recipientColumns: Array<Column<RecipientRow>> = [
  { name: 'run', type: 'INT32', get: (r) => r.run },
  { name: 'point', type: 'INT32', get: (r) => r.point },
  { name: 'seed', type: 'INT64', get: (r) => int64(r.seed) },
  { name: 'message', type: 'STRING', get: (r) => r.message },
  { name: 'recipient', type: 'STRING', get: (r) => r.recipient },
  { name: 'outcome', type: 'STRING', get: (r) => r.outcome },
  { name: 'submittedAtMs', type: 'INT64', get: (r) => int64(r.submittedAtMs) },
  { name: 'delayMs', type: 'INT64', get: (r) => int64(r.delayMs) },
  { name: 'attempts', type: 'INT32', get: (r) => r.attempts },
  { name: 'acceptedBy', type: 'STRING', get: (r) => r.acceptedBy },
  { name: 'handoverDelayMs', type: 'INT64', get: (r) => int64(r.handoverDelayMs) },
  { name: 'deliveries', type: 'INT32', get: (r) => r.deliveries },
  { name: 'duplicates', type: 'INT32', get: (r) => r.duplicates },
  { name: 'bounceAtMs', type: 'INT64', get: (r) => int64(r.bounceAtMs) },
  { name: 'statusCode', type: 'STRING', get: (r) => r.statusCode },
];

/** One column per varied pointer, placed after `seed`. */
function parameterColumns<Row extends { params: Record<string, unknown> }>(sweep: Sweep): Array<Column<Row>> {
  return sweep.dimensions.flatMap((d) => d.parameters).map((p) => {
    const numeric = p.values.every((v) => typeof v === 'number');
    return {
      name: p.pointer,
      type: numeric ? 'DOUBLE' : 'STRING',
      get: (row: Row) => {
        const value = row.params[p.pointer];
        return numeric || typeof value === 'string' ? value : JSON.stringify(value);
      },
    };
  });
}

export async function writeParquetTables(sweep: Sweep, runsJsonl: string, recipientsJsonl: string, runsParquet: string, recipientsParquet: string): Promise<void> {
  const withParams = <Row extends { params: Record<string, unknown> }>(base: Array<Column<Row>>) => [...base.slice(0, 3), ...parameterColumns<Row>(sweep), ...base.slice(3)];
  await writeTable(runsJsonl, runsParquet, withParams(runColumns));
  await writeTable(recipientsJsonl, recipientsParquet, withParams(recipientColumns));
}

async function writeTable<Row>(source: string, target: string, columns: Array<Column<Row>>): Promise<void> {
  const empty = columns.map((c) => ({ name: c.name, type: c.type, data: [] as unknown[] }));
  const schema = schemaFromColumnData({ columnData: empty as never });
  const writer = new ParquetWriter({ writer: fileWriter(target), schema, createdBy: 'mailsim' });
  let group = columns.map(() => [] as unknown[]);
  const flush = () => {
    if (group[0]!.length === 0) return;
    writer.write({ columnData: columns.map((c, i) => ({ name: c.name, data: group[i]! })) as never, rowGroupSize: rowGroupRows });
    group = columns.map(() => []);
  };
  for await (const { value } of readJsonLines<Row>(source)) {
    columns.forEach((c, i) => {
      group[i]!.push(c.get(value));
    });
    if (group[0]!.length >= rowGroupRows) flush();
  }
  flush();
  writer.finish();
}
