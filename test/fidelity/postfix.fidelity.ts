/**
 * The fidelity suite (issue 17 point 10; the experiments of issue 22): a private, real Postfix with
 * compressed timers against fake MX hosts, and mailsim's prediction for the same scenarios, side by
 * side. Run with `npm run test:fidelity` (about 4.5 minutes: the longest experiment waits for the
 * 240 s queue lifetime; every experiment runs at once). Needs root, postfix, dnsmasq and unshare
 * (scripts/install-system-deps.sh); without them it is skipped, or fails when CI is set.
 *
 * What it asserts: same end, same MX order and failover, same DSN for a 550, for a connection failure
 * and for a 421 4.3.2 greeting (issue 22 points 2 and 3), every retry's time and count (point 4, the
 * whole-second queue clock), deferrals without a connection for a dead destination within 40 % of
 * Postfix's connection count (point 1), counts where they are equal — and the facts about Postfix
 * those rest on, so an agreement cannot hold because the harness saw nothing. (Each of points 1–4 was
 * an expected failure, `it.fails`, until mailsim followed Postfix there.)
 * The tables are written to reports/fidelity/tables.md (docs/fidelity.md explains them).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { haveTools } from '../interop/harness.js';
import { type FidelityResult, collect } from './collect.js';
import type { Comparison } from './compare.js';
import { connections, suspended } from './compare.js';
import type { MessageOutcome } from './outcome.js';

/** issue 22's bound: every attempt of mailsim's prediction within 2.5 s of Postfix's. */
const toleranceS = 2.5;

function enabled(): boolean {
  if (!haveTools('postfix', 'postconf', 'dnsmasq', 'unshare', 'mount')) return false;
  if (process.getuid?.() === 0) return true;
  const message = 'fidelity: needs root (a private mount namespace, port 25 on 127.77.x.y, port 53)';
  if (process.env.CI) throw new Error(message);
  console.warn(`${message}: skipping`);
  return false;
}

const short = (host: string | null) => (host === null ? '—' : host.split('.')[0]!);
const steps = (m: MessageOutcome | undefined) => (m?.rows ?? []).map((r) => `${short(r.host)} ${r.result}`);

/** The largest |mailsim − Postfix| over paired attempts; Infinity when the counts differ. */
function worstGapS(p: MessageOutcome | undefined, s: MessageOutcome | undefined): number {
  if (p === undefined || s === undefined || p.rows.length !== s.rows.length) return Number.POSITIVE_INFINITY;
  return Math.max(0, ...p.rows.map((row, i) => Math.abs(s.rows[i]!.atS - row.atS)));
}

describe.skipIf(!enabled())('fidelity: real Postfix vs mailsim (issue 17 point 10, issue 22)', () => {
  let result: FidelityResult;
  const get = (id: string): Comparison => {
    const found = result.comparisons.find((c) => c.experiment.id === id);
    if (found === undefined) throw new Error(`no experiment ${id}`);
    return found;
  };
  const first = (id: string) => ({ p: get(id).postfix.messages[0]!, s: get(id).mailsim.messages[0]! });

  beforeAll(async () => {
    result = await collect({ keep: process.env.FIDELITY_KEEP === '1' });
    console.log(`fidelity: ${result.wallS.toFixed(0)} s; tables in ${join(result.outDir, 'tables.md')}`);
  }, 480_000);

  describe('holds today', () => {
    it('the tables are written, one section per experiment', () => {
      const tables = readFileSync(join(result.outDir, 'tables.md'), 'utf8');
      for (const c of result.comparisons) expect(tables).toContain(`### ${c.experiment.id}:`);
      expect(existsSync(join(result.outDir, 'raw.json'))).toBe(true);
    });

    it('every message ends the same way on both: delivered through the same MX, or bounced', () => {
      for (const c of result.comparisons) {
        const ends = (side: MessageOutcome[]) => side.map((m) => `${m.fate} ${short(m.via)}`);
        expect(ends(c.mailsim.messages), c.experiment.id).toEqual(ends(c.postfix.messages));
        expect(c.postfix.messages.every((m) => m.fate !== 'pending'), c.experiment.id).toBe(true);
      }
    });

    it('the first attempt of every message starts within 2.5 s of its submission on both', () => {
      for (const c of result.comparisons) {
        c.postfix.messages.forEach((p, i) => {
          const s = c.mailsim.messages[i]!;
          expect(Math.abs((s.rows[0]?.atS ?? Number.NaN) - (p.rows[0]?.atS ?? Number.NaN)), `${c.experiment.id} message ${i + 1}`).toBeLessThanOrEqual(toleranceS);
        });
      }
    });

    it.each(['refused-primary', 'greeting-421', 'greeting-554'])(
      '%s: the primary, then the backup in the same attempt, every step within 2.5 s (R6; smtp_skip_5xx_greeting)',
      (id) => {
        const { p, s } = first(id);
        expect(steps(p)).toEqual([`mx1 ${id === 'greeting-554' ? 'failed' : id === 'greeting-421' ? 'deferred' : 'refused'}`, 'mx2 accepted']);
        expect(steps(s)).toEqual(steps(p));
        expect(worstGapS(p, s)).toBeLessThanOrEqual(toleranceS);
      },
    );

    it('550 at RCPT: one attempt, the bounce within 2.5 s, the same DSN fields (R5, D1–D5)', () => {
      const { p, s } = first('rcpt-550');
      expect(steps(p)).toEqual(['mx1 failed']);
      expect(steps(s)).toEqual(steps(p));
      expect(Math.abs(s.fateAtS! - p.fateAtS!)).toBeLessThanOrEqual(toleranceS);
      expect(p.dsn).toMatchObject({ action: 'failed', status: '5.1.1', remoteMta: 'dns; mx1.rcpt-550.test' });
      expect(s.dsn).toEqual(p.dsn);
    });

    it('equal preferences: every message goes through in its first attempt, and the refusing MX is tried first for some messages only (M4 shuffle), on both', () => {
      const c = get('equal-preference');
      for (const side of [c.postfix, c.mailsim]) {
        for (const m of side.messages) expect(steps(m).slice(-1)).toEqual(['mxb accepted']);
        const refusedFirst = side.messages.filter((m) => steps(m)[0] === 'mxa refused').length;
        expect(refusedFirst).toBeGreaterThan(0);
        expect(refusedFirst).toBeLessThan(side.messages.length);
      }
    });

    it.each(['down-100s', 'down-forever'])('%s: each attempt tries mx1 then mx2 (preference order) on both', (id) => {
      const { p, s } = first(id);
      for (const m of [p, s]) {
        const refusals = m.rows.filter((r) => r.result === 'refused');
        expect(refusals.length % 2).toBe(0);
        expect(refusals.map((row) => short(row.host))).toEqual(refusals.map((_, i) => (i % 2 === 0 ? 'mx1' : 'mx2')));
      }
    });

    it('greylisting at 60 s: the same number of attempts on both, deferred until the last (docs/delivery.md §11)', () => {
      const { p, s } = first('greylist-60s');
      expect(s.rows.length).toBe(p.rows.length);
      expect(steps(s)).toEqual(steps(p));
    });

    it('all MX down for ever: both give up after the 240 s lifetime with Action failed, Status 4.4.1 (R8, D5)', () => {
      const { p, s } = first('down-forever');
      for (const m of [p, s]) {
        expect(m.fate).toBe('bounced');
        expect(m.fateAtS!).toBeGreaterThanOrEqual(240);
        expect(m.fateAtS!).toBeLessThan(240 + 32 + 4);
        expect(m.dsn).toMatchObject({ action: 'failed', status: '4.4.1' });
      }
    });

    it('issue 22 point 2: the DSN of a connection failure has an X- Diagnostic-Code type and no Remote-MTA (RFC 3464 §2.3.6) — the same fields as Postfix’s, but the address', () => {
      const { p, s } = first('down-forever');
      expect(s.dsn?.diagnosticCode).toMatch(/^X-[\w-]+; connect to /i);
      expect(s.dsn?.remoteMta).toBeNull();
      const masked = (d: typeof s.dsn) => ({ ...d, diagnosticCode: d?.diagnosticCode?.replace(/\[[\d.]+\]/g, '[…]') });
      expect(masked(s.dsn)).toEqual(masked(p.dsn));
    });

    it('issue 22 point 3: a scripted 421 4.3.2 greeting keeps its enhanced code: the bounce says 4.3.2, with Postfix’s Diagnostic-Code', () => {
      const { p, s } = first('greeting-421-only');
      expect(s.dsn?.status).toBe(p.dsn?.status);
      expect(s.dsn?.diagnosticCode).toBe(p.dsn?.diagnosticCode);
    });

    it.each(['down-100s', 'down-forever', 'greylist-60s', 'greeting-421-only', 'dead-destination'])(
      'issue 22 points 1 and 4 (whole-second queue clock, R8; dead destination, R14): %s — the same attempt count and every attempt within 2.5 s, message by message',
      (id) => {
        const c = get(id);
        c.postfix.messages.forEach((p, i) => {
          expect(worstGapS(p, c.mailsim.messages[i]), `message ${i + 1}`).toBeLessThanOrEqual(toleranceS);
        });
      },
    );

    // Message by message (above), and as a whole: all ten delivered on both sides, the last delivery
    // within 2.5 s, and the attempts (connections and suspensions) in all within 15 %.
    it('issue 22 points 1 and 4: dead-destination — all delivered, the last delivery within 2.5 s, attempts in all within 15 %', () => {
      const c = get('dead-destination');
      const last = (ms: MessageOutcome[]) => Math.max(...ms.map((m) => m.fateAtS ?? Number.POSITIVE_INFINITY));
      expect(c.postfix.messages.map((m) => m.fate)).toEqual(c.mailsim.messages.map(() => 'delivered'));
      expect(c.mailsim.messages.map((m) => m.fate)).toEqual(c.postfix.messages.map(() => 'delivered'));
      expect(Math.abs(last(c.mailsim.messages) - last(c.postfix.messages))).toBeLessThanOrEqual(toleranceS);
      const attempts = (ms: MessageOutcome[]) => ms.reduce((n, m) => n + m.rows.length, 0);
      expect(Math.abs(attempts(c.mailsim.messages) / attempts(c.postfix.messages) - 1)).toBeLessThanOrEqual(0.15);
    });

    // Postfix's own count varies from run to run: 27, 30, 31, 32 and 32 connections in five runs here,
    // with its first round depending on how its ten first attempts overlap (docs/fidelity.md, point 1);
    // mailsim makes 35. Without suspension mailsim made 60 (ratio ≈ 2), so 40 % still tells them apart.
    it('issue 22 point 1: mailsim marks the destination dead and defers without connecting (R14), within 40 % of Postfix’s connection count', () => {
      const c = get('dead-destination');
      const total = (ms: MessageOutcome[], f: (m: MessageOutcome) => number) => ms.reduce((sum, m) => sum + f(m), 0);
      expect(total(c.mailsim.messages, suspended)).toBeGreaterThan(0);
      const ratio = total(c.mailsim.messages, connections) / total(c.postfix.messages, connections);
      expect(Math.abs(ratio - 1)).toBeLessThanOrEqual(0.4);
      for (const id of ['down-100s', 'down-forever', 'greylist-60s', 'greeting-421-only']) expect(total(get(id).mailsim.messages, suspended), id).toBe(0);
    });

    // The Postfix facts points 1–3 were measured against: they cannot agree because the harness saw nothing.
    it('Postfix: mail for a dead destination is deferred without a connection ("delivery temporarily suspended"), and never for a lone message', () => {
      const c = get('dead-destination');
      const total = (ms: MessageOutcome[], f: (m: MessageOutcome) => number) => ms.reduce((sum, m) => sum + f(m), 0);
      expect(total(c.postfix.messages, suspended)).toBeGreaterThan(0);
      for (const id of ['down-100s', 'down-forever', 'greylist-60s', 'greeting-421-only']) expect(total(get(id).postfix.messages, suspended), id).toBe(0);
    });

    it('Postfix: a connection-level failure is reported as Diagnostic-Code X-Postfix; …, without Remote-MTA', () => {
      const { p } = first('down-forever');
      expect(p.dsn?.diagnosticCode).toMatch(/^X-Postfix; connect to mx2\.down-forever\.test\[[\d.]+\]:25: Connection refused$/);
      expect(p.dsn?.remoteMta).toBeNull();
    });

    it('Postfix: a 421 4.3.2 greeting until the lifetime ends gives a bounce with Status 4.3.2', () => {
      const { p } = first('greeting-421-only');
      expect(p.dsn).toMatchObject({ action: 'failed', status: '4.3.2', diagnosticCode: 'smtp; 421 4.3.2 mx1 busy, try again later' });
    });
  });
});
