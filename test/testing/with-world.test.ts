/**
 * `withWorld(scenario)` (docs/testing.md, "Step by step: withWorld"): a world driven step by step on
 * the World's own machinery. The same calls give the same traceDigest; sends and fetches made step by
 * step at the scenario traffic's times give the scenario's run; an injected fault acts like one in the
 * file; queues and mailboxes can be looked at without changing the run; bad items get the loader's
 * located message and change nothing.
 */
import { describe, expect, it } from 'vitest';
import { runMail, scenarioObjectOf, type ScenarioObject, type WorldHandle, withWorld } from 'mailsim/testing';
/** A scenario file's object without its traffic (and without its faults too, when asked). */
function withoutTraffic(path: string, dropFaults = false): ScenarioObject {
  const { traffic: _traffic, faults, ...rest } = scenarioObjectOf(path);
  return dropFaults ? rest : { ...rest, faults };
}

/** backup-mx.yaml's traffic, made step by step at the file's times. */
function backupMxByHand(peek?: (w: WorldHandle) => void): WorldHandle {
  const w = withWorld(withoutTraffic('scenarios/backup-mx.yaml'));
  w.advanceTo('1m').send({ from: 'alice@sender.net', to: 'bob@example.org', subject: 'Hello', body: 'Hi Bob' });
  w.advance('1h');
  peek?.(w);
  w.advanceTo('4h').fetch({ user: 'bob@example.org', protocol: 'pop3' });
  return w.runUntilIdle();
}

/** alice-to-bob.yaml with mx1 down from 0 to 30m, injected, and one message sent at 1m. */
function mx1DownByHand(): WorldHandle {
  const w = withWorld(withoutTraffic('scenarios/alice-to-bob.yaml'));
  w.inject({ down: 'mx1.example.org', until: '30m' });
  return w.send({ at: '1m', from: 'alice@sender.net', to: 'bob@example.org', subject: 'Lunch?', body: 'Hi Bob' });
}

describe('withWorld', () => {
  it('sends and fetches made step by step at the traffic’s times give the scenario’s run', () => {
    const byHand = backupMxByHand().report();
    const fromFile = runMail('scenarios/backup-mx.yaml').report;
    expect(byHand.messages).toEqual(fromFile.messages);
    expect(byHand.fetches).toEqual(fromFile.fetches);
    expect(byHand.traceDigest).toBe(fromFile.traceDigest);
    expect(byHand.expectations.every((e) => e.passed)).toBe(true);
  });

  it('the same calls give the same traceDigest; looking at queues and mailboxes changes nothing', () => {
    const once = backupMxByHand().report().traceDigest;
    const looked = backupMxByHand((w) => {
      expect(w.queue('mx2.example.org')).toHaveLength(1);
      expect(w.mailbox('bob@example.org')).toEqual([]);
      w.report();
    });
    expect(looked.report().traceDigest).toBe(once);
    // bob's mailbox on a host that is up, looked at before anything was filed (opening the store on the
    // host's own disk would make INBOX and its UIDVALIDITY now, and the IMAP fetch would differ).
    const peeked = withWorld('scenarios/alice-to-bob.yaml').advance('30s');
    expect(peeked.mailbox('bob@example.org')).toEqual([]);
    expect(peeked.runUntilIdle().report().traceDigest).toBe(withWorld('scenarios/alice-to-bob.yaml').runUntilIdle().report().traceDigest);
    expect(mx1DownByHand().runUntilIdle().report().traceDigest).toBe(mx1DownByHand().runUntilIdle().report().traceDigest);
    expect(withWorld('scenarios/backup-mx.yaml', { seed: 8 }).runUntilIdle().report().scenario.seed).toBe(8);
  });

  it('an injected fault acts from now: the message waits in the queue with its next attempt time, then lands', () => {
    const w = mx1DownByHand().advance('2m');
    expect(w.now).toBe(120_000);
    const [entry] = w.queue('smtp.sender.net');
    expect(entry).toMatchObject({ from: 'alice@sender.net', recipients: [{ address: 'bob@example.org', status: '4.4.1' }] });
    expect(entry!.nextAttemptMs).toBeGreaterThan(w.now);
    expect(w.report().messages[0]!.recipients[0]!.status).toBe('deferred');
    expect(w.report().faults).toEqual([{ index: 0, atMs: 0, untilMs: 1_800_000, action: 'down', description: expect.stringContaining('mx1.example.org') }]);

    w.advanceTo(entry!.nextAttemptMs!);
    const attempts = w.report().messages[0]!.recipients[0]!.attempts;
    expect(attempts.at(-1)!.atMs - entry!.nextAttemptMs!).toBeLessThan(1000);

    w.runUntilIdle();
    expect(w.report().messages[0]!.recipients[0]).toMatchObject({ status: 'delivered', hops: ['smtp.sender.net', 'mx1.example.org'] });
    expect(w.queue('smtp.sender.net')).toEqual([]);
    const [filed] = w.mailbox('Bob@example.org');
    expect(filed).toMatchObject({ host: 'mx1.example.org', folder: 'INBOX', subject: 'Lunch?', from: '<alice@sender.net>' });
    expect(filed!.filedAtMs).toBeGreaterThanOrEqual(1_800_000);
    expect(filed!.text).toMatch(/^Return-Path: <alice@sender\.net>\r\n/);
  });

  it('its mailRun() is a MailRun whose source replays the same run as a scenario file', () => {
    const w = mx1DownByHand().runUntilIdle();
    const run = w.mailRun();
    expect(run.report).toEqual(w.report());
    expect(run.trace.length).toBeGreaterThan(0);
    expect(runMail(run.source).report.traceDigest).toBe(w.report().traceDigest);
    expect(run.source.faults).toEqual([{ down: 'mx1.example.org', until: '30m', at: 0 }]);
  });

  it('a bad item gets the loader’s located message and changes nothing; time only moves forward', () => {
    const w = withWorld(withoutTraffic('scenarios/alice-to-bob.yaml')).advance('1m');
    expect(() => w.send({ from: 'alice@sender.net', to: 'bob' })).toThrow(/traffic\[0\]\.send\.to/);
    expect(() => w.inject({ down: 'mx9.example.org' })).toThrow(/mx9\.example\.org/);
    expect(() => w.send({ at: '30s', from: 'alice@sender.net', to: 'bob@example.org' })).toThrow(/send\(\{ at: "30s" \}\): that is before now \(60000 ms\)/);
    expect(() => w.advanceTo('10s')).toThrow(RangeError);
    expect(() => w.advance('soon')).toThrow(/advance\(duration\): /);
    expect(() => w.queue('mx9.example.org')).toThrow(/no mail host mx9\.example\.org in this world; the hosts are smtp\.sender\.net, mx1\.example\.org/);
    expect(w.mailRun().source.traffic).toBeUndefined();
    expect(w.send({ from: 'alice@sender.net', to: 'bob@example.org' }).mailRun().source.traffic).toHaveLength(1);
  });
});
