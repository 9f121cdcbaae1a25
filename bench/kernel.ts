/**
 * Kernel micro-benchmark: events per second of simple events (schedule + fire) on one core.
 *
 * What is measured. A self-rescheduling workload: `live` concurrent "processes" each re-arm
 * themselves with a pseudo-random delay (1–1000 ms, from a precomputed table so the measurement is
 * the kernel, not the RNG) when they fire, so the queue holds `live` entries in steady state and every
 * event costs one pop + one push. A second workload arms and cancels a timeout per event (the
 * protocol-timer pattern: lazy cancellation). The callback passes its state as the event argument,
 * so no closure is allocated per event. Each workload warms up once, then is timed over several
 * rounds with the wall clock (process.hrtime.bigint); we report the best and the median round.
 * Trace recording is off: this is the cost of the queue and the run loop.
 */
import { Simulator } from '../src/sim/index.js';

interface Result {
  name: string;
  events: number;
  bestPerSec: number;
  medianPerSec: number;
}

const delayTableSize = 4096;
const delays = new Int32Array(delayTableSize);
let lcg = 12345;
for (let i = 0; i < delayTableSize; i++) {
  lcg = (lcg * 1103515245 + 12345) >>> 0;
  delays[i] = 1 + (lcg % 1000);
}

interface Process {
  sim: Simulator;
  cursor: number;
  timeout: number;
  withTimeout: boolean;
}

function step(process: Process): void {
  const delay = delays[process.cursor++ & (delayTableSize - 1)]!;
  if (process.withTimeout) {
    process.sim.cancel(process.timeout);
    process.timeout = process.sim.after(30_000, onTimeout, process);
  }
  process.sim.after(delay, step, process);
}

function onTimeout(_process: Process): void {
  throw new Error('timeout must never fire: it is always cancelled first');
}

function runOnce(live: number, eventsTotal: number, withTimeout: boolean): { events: number; seconds: number } {
  const sim = new Simulator({ seed: 1, eventsMax: eventsTotal });
  for (let i = 0; i < live; i++) {
    const process: Process = { sim, cursor: i * 7, timeout: -1, withTimeout };
    sim.at(0, step, process);
  }
  const start = process.hrtime.bigint();
  const result = sim.runUntilIdle();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  // With timeouts, each step also fires nothing extra; count only the step events.
  return { events: result.events, seconds };
}

function measure(name: string, live: number, eventsTotal: number, withTimeout: boolean, rounds: number): Result {
  runOnce(live, eventsTotal, withTimeout); // warm-up: JIT
  const rates: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const { events, seconds } = runOnce(live, eventsTotal, withTimeout);
    rates.push(events / seconds);
  }
  rates.sort((a, b) => a - b);
  return { name, events: eventsTotal, bestPerSec: rates[rates.length - 1]!, medianPerSec: rates[rates.length >> 1]! };
}

export function runKernelBench(): Result[] {
  const eventsTotal = 2_000_000;
  const rounds = 5;
  return [
    measure('schedule+fire, 1 000 pending', 1_000, eventsTotal, false, rounds),
    measure('schedule+fire, 100 000 pending', 100_000, eventsTotal, false, rounds),
    measure('schedule+fire+cancel a timeout, 1 000 pending', 1_000, eventsTotal, true, rounds),
  ];
}

export function printKernelBench(results: Result[]): void {
  console.log(`kernel: ${process.version}, one thread; events = pop + callback + push of the next event`);
  for (const r of results) {
    const fmt = (n: number) => `${(n / 1e6).toFixed(2)} M events/s`;
    console.log(`  ${r.name.padEnd(48)} best ${fmt(r.bestPerSec)}, median ${fmt(r.medianPerSec)} (${r.events} events × 5 rounds)`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) printKernelBench(runKernelBench());
