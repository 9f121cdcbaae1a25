/**
 * `mailsim merge DIR… --out DIR` (docs/research.md §6): joins the outputs of shards 0..N-1 of one sweep
 * into what one machine would have written, byte for byte. Shard I holds the runs I, I+N, I+2N …, each
 * in order, so run r is the next line of shard r mod N: the merge streams the shards round robin and
 * copies each line as it was written. Then the sweep is finished from the merged lines (finish.ts),
 * as a one-machine sweep is.
 *
 * Refused, with what is wrong: shards of different sweeps or mailsim versions, a shard missing or
 * given twice, a shard not complete (resume it first), an --out that holds another sweep's outputs.
 */
import { closeSync, existsSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { SweepUsageError } from './errors.js';
import { finishSweep } from './finish.js';
import { type JsonLine, readJsonLines } from './jsonl.js';
import { type Manifest, manifestOf, manifestText, outputFiles, readManifest, sweepOfManifest } from './manifest.js';
import { shardSize, wholeSweep } from './shard.js';

export async function mergeShards(dirs: readonly string[], out: string): Promise<{ runs: number; shards: number }> {
  const manifests = dirs.map((dir) => {
    const manifest = readManifest(dir);
    if (manifest === null) throw new SweepUsageError(`${dir}: no ${outputFiles.manifest}: not the output of a mailsim sweep`);
    return manifest;
  });
  const ordered = checkShardSet(dirs, manifests);
  const sweep = sweepOfManifest(ordered[0]!.manifest, ordered[0]!.dir);
  if (existsSync(join(out, outputFiles.manifest))) throw new SweepUsageError(`${out} already holds the outputs of a sweep; choose another --out`);
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, outputFiles.manifest), manifestText(manifestOf(sweep, wholeSweep)));
  const runs = ordered.map(({ dir }) => readJsonLines<{ run: number }>(join(dir, outputFiles.runs))[Symbol.asyncIterator]());
  const recipients = ordered.map(({ dir }) => peekable(readJsonLines<{ run: number }>(join(dir, outputFiles.recipients))[Symbol.asyncIterator]()));
  const runsFd = openSync(join(out, outputFiles.runs), 'w');
  const recipientsFd = openSync(join(out, outputFiles.recipients), 'w');
  const count = ordered.length;
  try {
    for (let run = 0; run < sweep.runs; run++) {
      const shard = run % count;
      const line = await runs[shard]!.next();
      if (line.done || line.value.value.run !== run) {
        const has = await countRest(runs[shard]!, line);
        throw new SweepUsageError(`${ordered[shard]!.dir}: shard ${shard}/${count} is not complete (run ${run} ${line.done ? 'is missing' : `expected, found run ${line.value.value.run}`}; it should hold ${shardSize(sweep.runs, { index: shard, count })} runs${has}): finish it with --resume, then merge`);
      }
      let text = '';
      for (let row = await recipients[shard]!.peek(); row !== null && row.value.run === run; row = await recipients[shard]!.peek()) {
        text += `${row.text}\n`;
        await recipients[shard]!.take();
      }
      if (text !== '') writeSync(recipientsFd, text);
      writeSync(runsFd, `${line.value.text}\n`);
    }
  } finally {
    closeSync(runsFd);
    closeSync(recipientsFd);
  }
  await finishSweep(sweep, out);
  return { runs: sweep.runs, shards: count };
}

/** The shards in index order; throws when they are not shards 0..N-1 of one sweep by one mailsim. */
function checkShardSet(dirs: readonly string[], manifests: readonly Manifest[]): Array<{ dir: string; manifest: Manifest }> {
  const first = manifests[0];
  if (first === undefined) throw new SweepUsageError('merge needs the output directories of the shards');
  manifests.forEach((m, i) => {
    if (m.sweepHash !== first.sweepHash) throw new SweepUsageError(`${dirs[i]} is a shard of another sweep (${m.name}, hash ${m.sweepHash.slice(0, 12)}…) than ${dirs[0]} (${first.name}, hash ${first.sweepHash.slice(0, 12)}…)`);
    if (m.version !== first.version) throw new SweepUsageError(`${dirs[i]} was written by mailsim ${m.version}, ${dirs[0]} by ${first.version}: runs may differ between versions`);
    if (m.shard.count !== first.shard.count) throw new SweepUsageError(`${dirs[i]} is shard ${m.shard.index}/${m.shard.count}, ${dirs[0]} is ${first.shard.index}/${first.shard.count}: shards of one split have one count`);
  });
  const count = first.shard.count;
  const byIndex = new Map<number, string>();
  manifests.forEach((m, i) => {
    const earlier = byIndex.get(m.shard.index);
    if (earlier !== undefined) throw new SweepUsageError(`shard ${m.shard.index}/${count} is given twice: ${earlier} and ${dirs[i]}`);
    byIndex.set(m.shard.index, dirs[i]!);
  });
  const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !byIndex.has(i));
  if (missing.length > 0) throw new SweepUsageError(`shard${missing.length === 1 ? '' : 's'} ${missing.join(', ')} of ${count} ${missing.length === 1 ? 'is' : 'are'} missing`);
  return Array.from({ length: count }, (_, i) => ({ dir: byIndex.get(i)!, manifest: manifests[dirs.indexOf(byIndex.get(i)!)]! }));
}

async function countRest(iterator: AsyncIterator<JsonLine<unknown>>, current: IteratorResult<JsonLine<unknown>>): Promise<string> {
  if (current.done) return '';
  let n = 1;
  while (!(await iterator.next()).done) n++;
  return `, ${n} more rows follow`;
}

function peekable<T>(iterator: AsyncIterator<T>) {
  let head: IteratorResult<T> | null = null;
  return {
    async peek(): Promise<T | null> {
      head ??= await iterator.next();
      return head.done ? null : head.value;
    },
    async take(): Promise<void> {
      head = null;
    },
  };
}
