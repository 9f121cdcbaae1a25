import { describe, expect, it } from 'vitest';
import { check, runMail, violationsOf } from 'mailsim/testing';

describe('check(name, fn)', () => {
  const run = runMail('scenarios/backup-mx.yaml');

  it('turns returned lines into named violations, and nothing into none', () => {
    expect(check('always', () => ['one', 'two'])(run)).toEqual([
      { check: 'always', message: 'one' },
      { check: 'always', message: 'two' },
    ]);
    expect(check('single', () => 'just this')(run)).toEqual([{ check: 'single', message: 'just this' }]);
    expect(check('fine', () => undefined)(run)).toEqual([]);
    expect(check('fine', () => [])(run)).toEqual([]);
    expect(check('named', () => [])).toHaveProperty('checkName', 'named');
  });

  it('reports a check that throws as its own failure, with the stack', () => {
    const thrower = check('mine', () => {
      throw new Error('boom in user code');
    });
    const [violation] = violationsOf(run, [thrower, check('other', () => 'x')]);
    expect(violation?.check).toBe('mine');
    expect(violation?.message).toMatch(/the check threw: Error: boom in user code\n\s+at /);
    expect(violationsOf(run, [thrower, check('other', () => 'x')])).toHaveLength(2);
  });

  it('refuses a nameless check or a non-function', () => {
    expect(() => check('', () => [])).toThrow(/non-empty/);
    expect(() => check('x', 3 as never)).toThrow(/must be a function/);
  });
});
