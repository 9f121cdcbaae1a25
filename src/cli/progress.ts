/**
 * A progress display for long commands (`mailsim sweep`): on a terminal one line redrawn in place —
 * a bar, done/total, runs/s and the time left — at most ten times a second; elsewhere (a log, CI, a
 * Slurm job's output) a plain line at each tenth of the way, so logs stay short. Reads the wall clock,
 * which the CLI may (docs/architecture.md rule 1).
 */
import { formatDurationMs } from '../schema/units.js';

const redrawMs = 100;
const barWidth = 30;

export function progressDisplay(stream: NodeJS.WriteStream, label: string) {
  const tty = stream.isTTY === true;
  const started = performance.now();
  let firstDone: number | null = null;
  let lastDraw = 0;
  let lastTenth = -1;
  let lastLine = '';
  const line = (done: number, total: number) => {
    const elapsed = performance.now() - started;
    const ran = done - (firstDone ?? 0);
    const rate = elapsed > 0 ? (ran * 1000) / elapsed : 0;
    const left = rate > 0 ? ((total - done) / rate) * 1000 : null;
    const fraction = total === 0 ? 1 : done / total;
    const bar = tty ? `[${'#'.repeat(Math.round(fraction * barWidth)).padEnd(barWidth, '.')}] ` : '';
    return `${label}: ${bar}${done}/${total} runs (${Math.floor(fraction * 100)}%), ${rate.toFixed(rate < 10 ? 1 : 0)} runs/s${left !== null && done < total ? `, ${formatDurationMs(Math.round(left))} left` : ''}`;
  };
  return {
    update(done: number, total: number): void {
      firstDone ??= done;
      const now = performance.now();
      if (tty) {
        if (now - lastDraw < redrawMs && done < total) return;
        lastDraw = now;
        lastLine = line(done, total);
        stream.write(`\r${lastLine}\u001b[K`);
        return;
      }
      const tenth = total === 0 ? 10 : Math.floor((done * 10) / total);
      if (tenth === lastTenth) return;
      lastTenth = tenth;
      stream.write(`${line(done, total)}\n`);
    },
    end(): void {
      if (tty && lastLine !== '') stream.write('\n');
    },
  };
}
