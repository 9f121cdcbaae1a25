/**
 * Seeded randomness (docs/architecture.md rule 2): one root seed, and an independent named stream per
 * consumer, so adding a host or a fault does not shift anybody else's draws.
 *
 * Theory of operation. `RandomStreams.stream(name)` seeds a fresh seedrandom ARC4 generator (the
 * library's default algorithm, 52-bit floats) with the canonical string `JSON.stringify([root, name])`;
 * the JSON array keeps the derivation injective whatever characters the name holds. A numeric root
 * seed and its decimal string are the same seed (7 and "7"). A stream's draws depend only on the root
 * seed, its name and how many draws *it* has made. Streams are cached: the same name returns the same
 * object, so two users of one name share (and advance) one sequence.
 */
import seedrandom from 'seedrandom';

/** Bound on the length of `hex(n)` ids, so a typo cannot allocate a huge string. */
export const hexDigitsMax = 1024;

/** Digits `hex` gathers per number: 32 bits, well inside a double's exact integers. */
const hexChunkDigits = 8;

export class RandomStream {
  readonly name: string;
  private readonly prng: seedrandom.PRNG;
  /** Draws made so far (for diagnostics and tests). */
  draws = 0;

  constructor(seedString: string, name: string) {
    this.name = name;
    this.prng = seedrandom(seedString);
  }

  /** Uniform in [0, 1). */
  float(): number {
    this.draws++;
    return this.prng();
  }

  /** Uniform integer in [min, maxInclusive]; both must be safe integers with min ≤ maxInclusive. */
  int(min: number, maxInclusive: number): number {
    if (!Number.isSafeInteger(min) || !Number.isSafeInteger(maxInclusive) || min > maxInclusive) {
      throw new RangeError(`int(${min}, ${maxInclusive}): need safe integers with min ≤ max`);
    }
    return min + Math.floor(this.float() * (maxInclusive - min + 1));
  }

  /** True with probability p (p ≤ 0 never, p ≥ 1 always; both still draw, so the stream stays aligned). */
  chance(p: number): boolean {
    return this.float() < p;
  }

  /** One element, uniformly. Throws on an empty array (a caller error: there is nothing to choose). */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty array');
    return items[this.int(0, items.length - 1)]!;
  }

  /** A uniformly shuffled copy (Fisher–Yates); the input is not modified. */
  shuffle<T>(items: readonly T[]): T[] {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      const held = out[i]!;
      out[i] = out[j]!;
      out[j] = held;
    }
    return out;
  }

  /**
   * n lowercase hex digits, for message ids and queue ids: digit i is the one int(0, 15) would draw
   * (one draw each, in order). Digits are gathered eight at a time into a number and written with one
   * toString(16), not one string per digit (issue 21: message ids draw 16 per message).
   */
  hex(n: number): string {
    if (!Number.isInteger(n) || n < 0 || n > hexDigitsMax) throw new RangeError(`hex(${n}): 0..${hexDigitsMax} digits`);
    let out = '';
    for (let done = 0; done < n; done += hexChunkDigits) {
      const digits = Math.min(hexChunkDigits, n - done);
      let value = 0;
      for (let i = 0; i < digits; i++) value = value * 16 + Math.floor(this.float() * 16);
      out += value.toString(16).padStart(digits, '0');
    }
    return out;
  }
}

export class RandomStreams {
  readonly rootSeed: string;
  private readonly streams = new Map<string, RandomStream>();

  constructor(rootSeed: number | string) {
    if (typeof rootSeed === 'number' && !Number.isFinite(rootSeed)) throw new RangeError('seed must be finite');
    this.rootSeed = String(rootSeed);
  }

  /** The stream for `name`, created on first use; the same name always returns the same object. */
  stream(name: string): RandomStream {
    let stream = this.streams.get(name);
    if (stream === undefined) {
      stream = new RandomStream(JSON.stringify([this.rootSeed, name]), name);
      this.streams.set(name, stream);
    }
    return stream;
  }
}
