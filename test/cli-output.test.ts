/** Colour only on a TTY and never with NO_COLOR (issue 5; https://no-color.org). */
import { afterEach, describe, expect, it } from 'vitest';
import { paint, useColour } from '../src/cli/output.js';

const stream = (isTTY: boolean) => ({ isTTY }) as unknown as NodeJS.WriteStream;
const saved = { NO_COLOR: process.env.NO_COLOR, TERM: process.env.TERM };

describe('terminal colour', () => {
  afterEach(() => {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });

  it('colours a TTY, not a pipe', () => {
    delete process.env.NO_COLOR;
    process.env.TERM = 'xterm';
    expect(useColour(stream(true))).toBe(true);
    expect(paint(stream(true)).green('ok')).toBe('\u001b[32mok\u001b[0m');
    expect(useColour(stream(false))).toBe(false);
    expect(paint(stream(false)).green('ok')).toBe('ok');
  });

  it('never colours with NO_COLOR set, even on a TTY', () => {
    process.env.NO_COLOR = '1';
    expect(useColour(stream(true))).toBe(false);
    expect(paint(stream(true)).red('x')).toBe('x');
  });
});
