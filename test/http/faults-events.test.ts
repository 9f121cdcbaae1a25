/**
 * mailsim's own HTTP endpoints (issue 20 points 2, 3, 5): faults in the scenario files' vocabulary,
 * validated by the same schema; the Server-Sent Events stream; the blocking wait; bad input answered
 * 400 with a JSON error saying what and where, with nothing stored lost and intake going on; basic auth.
 */
import nodemailer from 'nodemailer';
import { describe, expect, it } from 'vitest';
import { startHttpApi } from '../../src/http/api.js';
import { requestBodyBytesMax } from '../../src/http/bad-input.js';
import { asJson } from './json.js';
import { useServedApi } from './served-api.js';

const api = useServedApi();

const send = (subject: string, to = 'bob@example.test') =>
  nodemailer.createTransport({ host: '127.0.0.1', port: api.serve.ports.smtp, secure: false, ignoreTLS: true }).sendMail({ from: 'alice@example.test', to, subject, text: `body of ${subject}` });

const post = (path: string, body: string) => fetch(`${api.base}${path}`, { method: 'POST', body, headers: { 'Content-Type': 'application/json' } });

describe('the fault API', () => {
  it('a reply fault at RCPT with an id: the next send fails with it; removed, mail flows', async () => {
    const added = await post('/api/mailsim/v1/faults', JSON.stringify({ reply: { on: 'rcpt', code: 452, text: '4.2.2 Mailbox full (test)' } }));
    expect(added.status).toBe(200);
    const fault = await added.json().then(asJson);
    expect(fault).toMatchObject({ id: 'f1', state: 'active', fault: { reply: { host: 'mail.example.test', on: 'rcpt', code: 452 } } });
    expect(fault.description).toMatch(/answers 452 4\.2\.2 Mailbox full \(test\) at rcpt/);
    expect((await (await fetch(`${api.base}/api/mailsim/v1/faults`)).json().then(asJson)).faults.map((f: { id: string }) => f.id)).toEqual(['f1']);
    await expect(send('refused')).rejects.toThrow(/452 4\.2\.2 Mailbox full \(test\)/);
    expect((await fetch(`${api.base}/api/mailsim/v1/faults/f1`, { method: 'DELETE' })).status).toBe(200);
    expect((await fetch(`${api.base}/api/mailsim/v1/faults/f1`, { method: 'DELETE' })).status).toBe(404);
    await send('accepted again');
  });

  it('times: 1 fires once; drop after the greeting cuts the line', async () => {
    await post('/api/mailsim/v1/faults', JSON.stringify({ reply: { on: 'mail', code: 421, times: 1 } }));
    await expect(send('first')).rejects.toThrow(/421/);
    await send('second');
    await post('/api/mailsim/v1/faults', JSON.stringify({ drop: { after: 'connect' } }));
    await expect(send('dropped')).rejects.toThrow();
    await fetch(`${api.base}/api/mailsim/v1/faults`, { method: 'DELETE' });
    expect((await (await fetch(`${api.base}/api/mailsim/v1/faults`)).json().then(asJson)).faults).toEqual([]);
  });

  it('bad input: 400 with what and where, from the scenario schema; nothing stored lost, intake goes on', async () => {
    await send('kept');
    const before = (await (await fetch(`${api.base}/api/v1/messages`)).json().then(asJson)).total;
    const cases: Array<[string, RegExp, string]> = [
      ['{"reply": {"on": "rcpt", "code": 700}}', /whole number from 200 to 599/, 'body.reply.code'],
      ['{"teleport": {"host": "x"}}', /unknown key "teleport"/, 'body'],
      ['{"reply": {"on": "rcpt", "code": 451', /malformed JSON/, 'body'],
      ['{"reply": {"on": "helo", "code": 451}}', /connect, ehlo, mail, rcpt, data or dot|expected one of/, 'body.reply.on'],
      ['{"down": "mail.example.test"}', /applies only faults inside its SMTP server or on its listeners \(refuse, reply, drop, delay, rate-limit, greylist, tls-off, corrupt\)/, 'body.down'],
      ['{"reply": {"host": "elsewhere.test", "on": "rcpt", "code": 451}}', /not defined/, 'body.reply.host'],
      ['[1, 2]', /expected a JSON object/, 'body'],
    ];
    for (const [body, message, where] of cases) {
      const response = await post('/api/mailsim/v1/faults', body);
      expect(response.status, body).toBe(400);
      const error = await response.json().then(asJson);
      expect(error.Error, body).toMatch(message);
      expect(error.where, body).toBe(where);
    }
    const huge = await post('/api/mailsim/v1/faults', JSON.stringify({ reply: { on: 'rcpt', code: 451, text: 'x'.repeat(requestBodyBytesMax) } }));
    expect(huge.status).toBe(400);
    expect(await huge.json().then(asJson)).toEqual({ Error: expect.stringMatching(/larger than/), where: 'body' });
    expect((await (await fetch(`${api.base}/api/mailsim/v1/faults`)).json().then(asJson)).faults).toEqual([]);
    await send('still flowing');
    expect((await (await fetch(`${api.base}/api/v1/messages`)).json().then(asJson)).total).toBe(before + 1);
  });
});

describe('live: events and the blocking wait', () => {
  it('the wait answers the moment a matching message is stored, and 408 at its timeout', async () => {
    const started = performance.now();
    const waiting = fetch(`${api.base}/api/mailsim/v1/wait?to=alice@example.test&subject=${encodeURIComponent('wake up')}&timeout=10s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await send('please wake up', 'alice@example.test');
    const response = await waiting;
    expect(response.status).toBe(200);
    expect((await response.json().then(asJson)).Subject).toBe('please wake up');
    expect(performance.now() - started).toBeLessThan(5_000);
    const missed = await fetch(`${api.base}/api/mailsim/v1/wait?subject=never&timeout=200ms`);
    expect(missed.status).toBe(408);
    expect((await missed.json().then(asJson)).Error).toMatch(/no matching message within 200 ms/);
    const bad = await fetch(`${api.base}/api/mailsim/v1/wait?subject=x&timeout=soon`);
    expect(bad.status).toBe(400);
    expect((await bad.json().then(asJson)).where).toBe('query.timeout');
  });

  it('the event stream tells of a received, delivered and stored message, and of a fault', async () => {
    const controller = new AbortController();
    const response = await fetch(`${api.base}/api/v1/events`, { signal: controller.signal });
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = response.body!.getReader();
    let text = '';
    const readUntil = async (pattern: RegExp) => {
      while (!pattern.test(text)) {
        const { value, done } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
      }
    };
    await readUntil(/event: ready/);
    await send('evented');
    await readUntil(/event: new\ndata: [^\n]*"Subject":"evented"/);
    expect(text).toMatch(/event: received\ndata: [^\n]*"kind":"mail\.accept"/);
    expect(text).toMatch(/event: delivered\ndata: [^\n]*"user":"bob"/);
    await post('/api/mailsim/v1/faults', JSON.stringify({ reply: { on: 'rcpt', code: 451 } }));
    await readUntil(/event: fault\ndata: [^\n]*"change":"active"/);
    await expect(send('faulted')).rejects.toThrow(/451/);
    await readUntil(/event: fault-fired\ndata: \{"stage":"rcpt","effect":"reply","reply":"451 [^"]*"\}/);
    await fetch(`${api.base}/api/mailsim/v1/faults`, { method: 'DELETE' });
    controller.abort();
  });
});

describe('safety', () => {
  it('binds 127.0.0.1 by default; --http-auth makes every endpoint ask for basic auth', async () => {
    expect(api.http.address).toBe('127.0.0.1');
    const guarded = await startHttpApi({ host: api.serve.running.host, port: 0, auth: { username: 'tester', password: 's3cret' } });
    try {
      const url = `http://127.0.0.1:${guarded.port}/api/v1/messages`;
      const anonymous = await fetch(url);
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('www-authenticate')).toMatch(/^Basic/);
      expect((await fetch(url, { headers: { Authorization: `Basic ${Buffer.from('tester:wrong').toString('base64')}` } })).status).toBe(401);
      expect((await fetch(url, { headers: { Authorization: `Basic ${Buffer.from('tester:s3cret').toString('base64')}` } })).status).toBe(200);
    } finally {
      await guarded.close();
    }
  });
});

describe('refuse over HTTP', () => {
  it('refuse port 25: every SMTP connection is reset at once; removed, mail flows again', async () => {
    const { host } = await (await fetch(`${api.base}/api/mailsim/v1/faults`)).json().then(asJson);
    expect(host).toBe('mail.example.test');
    const added = await post('/api/mailsim/v1/faults', JSON.stringify({ refuse: host, port: 25 })).then((r) => r.json()).then(asJson);
    expect(added.description).toBe('mail.example.test refuses port 25');
    await expect(send('refused connection')).rejects.toThrow(/ECONNRESET|socket|closed/i);
    await fetch(`${api.base}/api/mailsim/v1/faults/${added.id}`, { method: 'DELETE' });
    await send('connected again');
  });
});
