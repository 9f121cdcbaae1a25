/**
 * The `new` event and the listing come from the cheap header scan (issue 20: live events cost, first
 * listing): with one event-stream client attached, a plain message and a multipart one are
 * announced with what the UI list needs, and neither the events nor the listing of the plain message
 * parse a message in full (mailparser's cache stays empty); the multipart message's event has no
 * Snippet, its listing the real one.
 */
import nodemailer from 'nodemailer';
import { describe, expect, it } from 'vitest';
import { parsedCount } from '../../src/http/message-view.js';
import { asJson } from './json.js';
import { useServedApi } from './served-api.js';

const api = useServedApi();

/** Reads the event stream until `count` `new` events came; their data. */
async function newEvents(count: number, whileListening: () => Promise<unknown>): Promise<unknown[]> {
  const controller = new AbortController();
  const response = await fetch(`${api.base}/api/v1/events`, { signal: controller.signal });
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = '';
  const found: unknown[] = [];
  let sent = false;
  while (found.length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
    if (!sent && text.includes('event: ready')) {
      sent = true;
      await whileListening();
    }
    for (const match of text.matchAll(/event: new\ndata: (.*)\n/g)) found.push(JSON.parse(match[1]!));
    text = text.replace(/event: new\ndata: .*\n/g, '');
  }
  controller.abort();
  return found;
}

describe('events and listing without the full parse', () => {
  it('announces what the list needs, parsing nothing; the listing of a plain message parses nothing either', async () => {
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: api.serve.ports.smtp, secure: false, ignoreTLS: true });
    const events = asJson(
      await newEvents(2, async () => {
        await transport.sendMail({ from: '"Älice" <alice@example.test>', to: 'bob@example.test', subject: 'Grüße, plain', text: 'Hello   Bob,\nplain text.' });
        await transport.sendMail({ from: 'alice@example.test', to: 'bob@example.test', subject: 'multi', text: 'the text part', attachments: [{ filename: 'a.txt', content: 'attached' }] });
      }),
    );
    expect(events[0]).toMatchObject({ Subject: 'Grüße, plain', From: { Name: 'Älice', Address: 'alice@example.test' }, To: [{ Name: '', Address: 'bob@example.test' }], Snippet: 'Hello Bob, plain text.', Attachments: 0, Read: false });
    expect(events[0].ID).toEqual(expect.any(String));
    expect(events[0].Size).toBeGreaterThan(0);
    expect(events[1]).toMatchObject({ Subject: 'multi', Snippet: '', Attachments: 0 });
    expect(parsedCount()).toBe(0);
    const list = asJson(await (await fetch(`${api.base}/api/v1/messages?limit=1&start=1`)).json());
    expect(list.messages[0]).toMatchObject({ Subject: 'Grüße, plain', Snippet: 'Hello Bob, plain text.' });
    expect(parsedCount()).toBe(0);
    const newest = asJson(await (await fetch(`${api.base}/api/v1/messages?limit=1`)).json());
    expect(newest.messages[0]).toMatchObject({ Subject: 'multi', Snippet: 'the text part', Attachments: 1 });
    expect(parsedCount()).toBe(1);
  });
});
