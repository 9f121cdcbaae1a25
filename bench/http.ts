/**
 * Issue 20's listing figure: `GET /api/v1/messages` over 10,000 stored messages, in this process — a
 * serve host in memory (src/bridge), its HTTP API on a free loopback port, the messages appended to a
 * user's INBOX directly (the store the MDA delivers into), then the default page (50, newest first,
 * with the totals) asked for the very first time (the API's first request: nothing cached but the
 * summaries the header scan made as the messages landed) and warm, and the whole list (limit=10000).
 * A second API is then started on the full store (a restart on a kept --maildir: no summary made at
 * intake) and its first request timed too. Wall time per request, as the client sees it (fetch over
 * loopback), median of `rounds` for the warm figures.
 */
import { buildServeConfig } from '../src/bridge/config.js';
import { startServe } from '../src/bridge/server.js';
import { startHttpApi } from '../src/http/api.js';

export interface ListingResult {
  stored: number;
  coldPageMs: number;
  /** The first request of an API started after the messages were stored. */
  coldPageLateApiMs: number;
  warmPageMs: number;
  wholeListMs: number;
}

const rounds = 5;

function message(index: number): Uint8Array {
  const text = `From: Sender ${index} <s${index}@sender.test>\r\nTo: bob@example.test\r\nSubject: message ${index}\r\nMessage-ID: <m${index}@sender.test>\r\nDate: Fri, 04 Dec 2026 10:00:00 +0000\r\n\r\nBody of message ${index}.\r\n`;
  return new TextEncoder().encode(text);
}

async function timed(url: string): Promise<number> {
  const started = performance.now();
  const response = await fetch(url);
  await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`${url}: ${response.status}`);
  return performance.now() - started;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

export async function runListingBench(stored: number): Promise<ListingResult> {
  const { config } = buildServeConfig({ users: ['bob:secret'] });
  const running = await startServe({ config, ports: { smtp: 0, submission: 0, smtps: 0, pop3: 0, pop3s: 0, imap: 0, imaps: 0 }, shutdownGraceMs: 100 });
  const http = await startHttpApi({ host: running.host, port: 0 });
  try {
    const host = running.host;
    const inbox = host.local!.storeOf(host.config.users[0]!).folder('INBOX')!;
    for (let i = 0; i < stored; i++) inbox.append(message(i));
    const base = `http://127.0.0.1:${http.port}/api/v1/messages`;
    // The client's own first use (undici's setup, the connection) is not the server's cost.
    await timed(`http://127.0.0.1:${http.port}/api/v1/webui`);
    const coldPageMs = await timed(base);
    const warm: number[] = [];
    for (let i = 0; i < rounds; i++) warm.push(await timed(base));
    await timed(`${base}?limit=${stored}`); // parses the rest once
    const whole: number[] = [];
    for (let i = 0; i < rounds; i++) whole.push(await timed(`${base}?limit=${stored}`));
    const late = await startHttpApi({ host: running.host, port: 0 });
    let coldPageLateApiMs: number;
    try {
      coldPageLateApiMs = await timed(`http://127.0.0.1:${late.port}/api/v1/messages`);
    } finally {
      await late.close();
    }
    return { stored, coldPageMs, coldPageLateApiMs, warmPageMs: median(warm), wholeListMs: median(whole) };
  } finally {
    await http.close();
    await running.stop();
  }
}
