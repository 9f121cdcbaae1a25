/**
 * The vitest matchers of `mailsim/testing/vitest` (docs/testing.md, "Matchers"): each passes where it
 * should and fails where it should, with a message that shows the message's journey (attempts, hosts,
 * replies, times), `.not` reads sensibly, and the subject may be a MailRun, a Report or a withWorld
 * handle. The calls below also type-check only through the module's augmentation of vitest's Assertion
 * (`npm run typecheck` covers test/).
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runMail, withWorld } from 'mailsim/testing';
import { mailMatchers } from 'mailsim/testing/vitest';
import type { Report } from '../../src/report/types.js';

expect.extend(mailMatchers);

/** The message of the assertion error `assertion` throws (it must throw). */
function failure(assertion: () => void): string {
  try {
    assertion();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('the assertion did not fail');
}

const backupMx = runMail('scenarios/backup-mx.yaml');
const allDown = runMail('scenarios/all-mx-down-bounce.yaml');

describe('toDeliver', () => {
  it('passes when every message to the address landed as asked, on a MailRun or a Report', () => {
    expect(backupMx).toDeliver('bob@example.org');
    expect(backupMx).toDeliver('Bob@Example.org', { within: '3h', via: 'mx2.example.org', count: 1 });
    expect(backupMx.report).toDeliver('bob@example.org', { within: 3 * 3_600_000 });
    expect(allDown).toDeliver('bob@example.org', { count: 0 });
  });

  it('fails with the journey: each attempt with its time, hosts and result, and the landing', () => {
    const message = failure(() => expect(backupMx).toDeliver('bob@example.org', { within: '10m' }));
    expect(message).toMatch(/^expected bob@example\.org to be delivered \(within 10m\), but m1 landed after 2h 29m 0\.381s, more than 10m\n/);
    expect(message).toMatch(/m1 <[^>]+> "Hello" alice@sender\.net → bob@example\.org: delivered/);
    expect(message).toMatch(/\n {4}1m +submitted to smtp\.sender\.net\n/);
    expect(message).toMatch(/\n {4}1m 0\.5s +attempt smtp\.sender\.net → mx1\.example\.org 10\.0\.0\.10 +timeout\n/);
    expect(message).toMatch(/attempt smtp\.sender\.net → mx2\.example\.org 10\.0\.0\.20 \(TLS\) +accepted: 250 2\.0\.0 /);
    expect(message).toMatch(/\n {4}2h 30m 0\.381s +delivered to bob's INBOX on mx1\.example\.org +2h 29m 0\.381s after submission$/);
    expect(message).not.toContain('"messages"');
  });

  it('fails on via and count, and names where the mail went when nothing was sent to the address', () => {
    expect(failure(() => expect(backupMx).toDeliver('bob@example.org', { via: 'mx3.example.org' }))).toMatch(
      /but m1 did not pass through mx3\.example\.org \(hops: smtp\.sender\.net → mx2\.example\.org → mx1\.example\.org\)/,
    );
    expect(failure(() => expect(backupMx).toDeliver('bob@example.org', { count: 2 }))).toMatch(/exactly 2 landing\(s\)\), but 1 landing\(s\) in all/);
    expect(failure(() => expect(backupMx).toDeliver('bobby@example.org'))).toBe(
      'expected bobby@example.org to be delivered, but no message was sent to it; the messages went to bob@example.org',
    );
    const bounced = failure(() => expect(allDown).toDeliver('bob@example.org'));
    expect(bounced).toMatch(/but m1 did not land \(bounced: connect to mx2\.example\.org\[10\.200\.0\.3\]:25: Connection timed out\)/);
    expect(bounced).toMatch(/… \d+ more attempts/);
  });

  it('.not: no message to the address landed so', () => {
    expect(allDown).not.toDeliver('bob@example.org');
    expect(backupMx).not.toDeliver('bob@example.org', { within: '10m' });
    expect(backupMx).not.toDeliver('carol@example.org');
    const message = failure(() => expect(backupMx).not.toDeliver('bob@example.org'));
    expect(message).toMatch(/^expected bob@example\.org not to be delivered, but m1 landed on mx1\.example\.org after 2h 29m 0\.381s\n\n {2}m1 /);
  });

  it('refuses a bad option or subject with a TypeError that names the matcher', () => {
    expect(() => expect(backupMx).toDeliver('bob@example.org', { within: '10 minutes' })).toThrow(/toDeliver\(address, \{ within \}\): .*did you mean 10m\?/);
    expect(() => expect({ messages: [] }).toDeliver('bob@example.org')).toThrow(/toDeliver: expect\(…\) needs a MailRun \(from runMail\), a Report or a withWorld handle; got object/);
    expect(() => expect(backupMx).toDeliver('bob@example.org', { count: -1 })).toThrow(TypeError);
  });
});

describe('toBounce', () => {
  it('passes when the sender got a DSN about every message to the address, with the status asked', () => {
    expect(allDown).toBounce('bob@example.org');
    expect(allDown).toBounce('bob@example.org', { status: '4.4.1' });
    expect(allDown).toBounce('bob@example.org', { status: '4.' });
  });

  it('fails with the journey, the bounce and the DSN that reached the sender', () => {
    const message = failure(() => expect(allDown).toBounce('bob@example.org', { status: '5.1.1' }));
    expect(message).toMatch(/^expected bob@example\.org to bounce \(with status 5\.1\.1\), but m1 bounced with 4\.4\.1, not 5\.1\.1\n/);
    expect(message).toMatch(/\n {4}5d 56m 0\.1s +bounced 4\.4\.1 by smtp\.sender\.net +connect to mx2\.example\.org\[10\.200\.0\.3\]:25: Connection timed out\n/);
    expect(message).toMatch(/\n {4}5d 56m 0\.101s +DSN m2 delivered to alice@sender\.net +on smtp\.sender\.net$/);
    expect(failure(() => expect(backupMx).toBounce('bob@example.org'))).toMatch(/^expected bob@example\.org to bounce, but m1 did not bounce \(delivered\)\n\n {2}m1 .*\n {4}1m +submitted/);
  });

  it('.not, and a status that is not one refused', () => {
    expect(backupMx).not.toBounce('bob@example.org');
    expect(allDown).not.toBounce('bob@example.org', { status: '5.' });
    expect(failure(() => expect(allDown).not.toBounce('bob@example.org'))).toMatch(/^expected bob@example\.org not to bounce, but m1 bounced with 4\.4\.1\n/);
    expect(() => expect(allDown).toBounce('bob@example.org', { status: 'permanent' })).toThrow(/toBounce\(address, \{ status \}\): expected a status code/);
  });
});

describe('toBeFetched', () => {
  it('passes when a fetch retrieved mail of the address (of anyone, without one)', () => {
    expect(backupMx).toBeFetched('bob@example.org');
    expect(backupMx).toBeFetched();
    expect(backupMx).not.toBeFetched('alice@sender.net');
  });

  it('fails with the fetches that ran and the journeys of the messages to the address', () => {
    const message = failure(() => expect(backupMx).toBeFetched('alice@sender.net'));
    expect(message).toMatch(/^expected mail for alice@sender\.net to be fetched, but no fetch for alice@sender\.net ran\n\nthe fetches:\n {2}4h {2}pop3 bob@example\.org {2}ok, 1 message\(s\): "Hello"\n/);
    expect(message).toMatch(/the messages to alice@sender\.net:\n {2}\(none was sent\)$/);
    const not = failure(() => expect(backupMx).not.toBeFetched('bob@example.org'));
    expect(not).toMatch(/^expected mail for bob@example\.org not to be fetched, but 1 message\(s\) were fetched\n/);
    expect(not).toMatch(/the messages to bob@example\.org:\n {2}m1 .*\n {4}1m +submitted to smtp\.sender\.net/);
  });

  it('a fetch that ran before the mail landed shows both times', () => {
    const early = withWorld('scenarios/backup-mx.yaml').advanceTo('2h10m').fetch({ user: 'bob@example.org', protocol: 'pop3' }).advance('1m');
    const message = failure(() => expect(early).toBeFetched('bob@example.org'));
    expect(message).toMatch(/but the fetch\(es\) retrieved nothing\n\nthe fetches:\n {2}2h 10m {2}pop3 bob@example\.org {2}ok, 0 message\(s\)\n/);
    expect(message).toMatch(/m1 .*: deferred\n/);
    expect(message).toMatch(/\n {4}2h 11m +still queued \(4\.4\.1\) +connect to mx1\.example\.org\[10\.0\.0\.10\]:25: Connection timed out/);
  });
});

describe('toHaveNoLoss', () => {
  it('passes on runs where every accepted recipient was delivered, bounced or is still queued', () => {
    expect(backupMx).toHaveNoLoss();
    expect(allDown).toHaveNoLoss();
    expect(withWorld('scenarios/backup-mx.yaml').advanceTo('1h')).toHaveNoLoss();
  });

  it('fails on a report with a lost recipient, showing its journey; .not says how they all ended', () => {
    const lost: Report = structuredClone(backupMx.report);
    const bob = lost.messages[0]!.recipients[0]!;
    bob.status = 'lost';
    bob.deliveries = [];
    bob.reason = 'accepted with a 2xx, then neither delivered, bounced, queued nor discarded';
    const message = failure(() => expect(lost).toHaveNoLoss());
    expect(message).toMatch(/^expected no loss, but 1 recipient\(s\) accepted with a 2xx were neither delivered, bounced, discarded nor still queued: m1 → bob@example\.org\n\n/);
    expect(message).toMatch(/attempt mx2\.example\.org → mx1\.example\.org 10\.0\.0\.10 \(TLS\) +accepted: 250/);
    expect(message).toMatch(/ lost +accepted with a 2xx, then neither/);
    expect(lost).not.toHaveNoLoss();
    expect(failure(() => expect(allDown).not.toHaveNoLoss())).toBe(
      'expected a loss, but every accepted recipient was delivered, bounced, discarded or is still queued (1 bounced, 1 delivered)',
    );
  });
});

describe('the package entries', () => {
  it('mailsim/testing does not load vitest: nothing its index reaches imports it', () => {
    const seen = new Set<string>();
    const bare: string[] = [];
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(file, 'utf8');
      for (const [, specifier] of text.matchAll(/^\s*(?:import|export)\s[^;]*?\sfrom\s+'([^']+)'/gms)) {
        if (specifier!.startsWith('.')) visit(resolve(dirname(file), specifier!.replace(/\.js$/, '.ts')));
        else bare.push(specifier!);
      }
    };
    visit(join(import.meta.dirname, '..', '..', 'src', 'testing', 'index.ts'));
    expect(seen.size).toBeGreaterThan(20);
    expect(bare.filter((name) => name === 'vitest' || name.startsWith('vitest/') || name.startsWith('@vitest/'))).toEqual([]);
    const matchers = readFileSync(join(import.meta.dirname, '..', '..', 'src', 'testing', 'vitest', 'index.ts'), 'utf8');
    expect(matchers).toMatch(/^import type \{ MatcherState \} from 'vitest';$/m);
  });

  it('package.json exports both entries, each built from its source (dist/X.js and .d.ts from src/X.ts), and vitest as an optional peer', () => {
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')) as {
      exports: Record<string, { source: string; types: string; default: string }>;
      peerDependenciesMeta: Record<string, { optional: boolean }>;
    };
    for (const entry of ['./testing/vitest', './testing/vitest/setup']) {
      const { source, types, default: built } = pkg.exports[entry]!;
      expect(Object.keys(pkg.exports[entry]!)[0], 'source first, so tsc reads src/ under the source condition').toBe('source');
      expect(source).toMatch(/^\.\/src\/.*\.ts$/);
      expect(readFileSync(join(import.meta.dirname, '..', '..', source), 'utf8')).toContain('mailMatchers');
      expect(built).toBe(source.replace('./src/', './dist/').replace(/\.ts$/, '.js'));
      expect(types).toBe(source.replace('./src/', './dist/').replace(/\.ts$/, '.d.ts'));
    }
    expect(pkg.peerDependenciesMeta.vitest).toEqual({ optional: true });
  });

  it('the matchers type-check through the augmentation, and their options are typed', () => {
    // @ts-expect-error within is a duration string or ms, not a boolean
    expect(() => expect(backupMx).toDeliver('bob@example.org', { within: true })).toThrow(TypeError);
    // @ts-expect-error toHaveNoLoss takes no argument
    expect(backupMx).toHaveNoLoss('bob@example.org');
  });
});
