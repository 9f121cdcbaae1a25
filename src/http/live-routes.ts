/**
 * The live endpoints: the event stream and the blocking wait (issue 20 point 3), so tests stop sleeping.
 *
 * `GET /api/v1/events` is a Server-Sent Events stream (the HTML living standard's text/event-stream):
 * first `event: ready`, then one event per fact of event-hub.ts, its data JSON (events that come while
 * the previous write is under way go out together in one write).
 *
 * `GET /api/mailsim/v1/wait?to=…&from=…&subject=…&query=…&timeout=10s` answers 200 with the Mailpit
 * list item of the newest stored message that matches (to/from/subject: substrings, ignoring case;
 * query: Mailpit's search language, search.ts) — at once when one is stored already, else the moment
 * one is — or 408 with a JSON error when `timeout` (a duration, docs/reference.md §1; at most 10 min)
 * passes first. It listens before it looks, so a message stored in between is not missed.
 */
import type { Context, Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { parseDuration } from '../schema/units.js';
import { BadInput } from './bad-input.js';
import type { StoredRef } from './captured.js';
import type { HubEvent } from './event-hub.js';
import { listItem, type MailpitListItem, parsed } from './message-view.js';
import { matches, parseQuery, type SearchTerm } from './search.js';
import type { ApiServices } from './services.js';

export const waitTimeoutMsDefault = 10_000;
export const waitTimeoutMsMax = 600_000;

export function registerLiveRoutes(app: Hono, services: ApiServices): void {
  app.get('/api/v1/events', (c) =>
    streamSSE(c, async (stream) => {
      const aborted = new Promise<void>((resolve) => stream.onAbort(resolve));
      await stream.writeSSE({ event: 'ready', data: '{}' });
      const stop = services.events.listen(coalescing((fn) => services.host.clock.afterTurn(fn), (text) => stream.write(text)));
      await aborted;
      stop();
    }),
  );
  app.get('/api/mailsim/v1/wait', async (c) => {
    const terms = waitTerms(c);
    const timeoutMs = waitTimeout(c);
    const found = await waitFor(services, terms, timeoutMs);
    if (found === null) return c.json({ Error: `no matching message within ${timeoutMs} ms`, where: 'query' }, 408);
    return c.json(found);
  });
}

/**
 * An event as its text/event-stream lines (`event:`, one `data:` line: JSON.stringify leaves no line
 * break in it). The events of one event-loop turn are joined and written once the turn's socket
 * events have run (the clock's `afterTurn`), and those that come while a write is under way go out
 * together when it ends — a burst (many sessions, a group commit delivering many messages) costs one
 * socket write, not three per message.
 */
function coalescing(afterTurn: (fn: () => void) => void, write: (text: string) => Promise<unknown>): (event: HubEvent) => void {
  let pending = '';
  let busy = false;
  const flush = () => {
    if (pending === '') {
      busy = false;
      return;
    }
    const text = pending;
    pending = '';
    void write(text).then(flush, () => {
      pending = '';
    });
  };
  return (event) => {
    pending += `event: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`;
    if (busy) return;
    busy = true;
    afterTurn(flush);
  };
}

function waitTerms(c: Context): SearchTerm[] {
  const terms: SearchTerm[] = [];
  for (const field of ['to', 'from', 'subject'] as const) {
    const value = c.req.query(field);
    if (value !== undefined) terms.push({ field, value: value.toLowerCase(), negated: false });
  }
  const query = c.req.query('query');
  if (query !== undefined) {
    try {
      terms.push(...parseQuery(query));
    } catch (error) {
      throw new BadInput(error instanceof Error ? error.message : String(error), 'query.query');
    }
  }
  return terms;
}

function waitTimeout(c: Context): number {
  const text = c.req.query('timeout');
  if (text === undefined) return waitTimeoutMsDefault;
  const parsedTimeout = parseDuration(text);
  if (!parsedTimeout.ok) throw new BadInput(parsedTimeout.message, 'query.timeout');
  if (parsedTimeout.value > waitTimeoutMsMax) throw new BadInput(`timeout is at most ${waitTimeoutMsMax / 60_000} min`, 'query.timeout');
  return parsedTimeout.value;
}

async function matching(services: ApiServices, terms: readonly SearchTerm[], ref: StoredRef): Promise<MailpitListItem | null> {
  const mail = await parsed(ref, (r) => services.captured.read(r));
  const item = listItem(ref, mail);
  return matches(terms, item, mail) ? item : null;
}

function waitFor(services: ApiServices, terms: readonly SearchTerm[], timeoutMs: number): Promise<MailpitListItem | null> {
  return new Promise((resolve) => {
    let done = false;
    const { host } = services;
    const finish = (item: MailpitListItem | null) => {
      if (done) return;
      done = true;
      stop();
      host.sim.cancel(timer);
      resolve(item);
    };
    const stop = services.captured.onStored((ref) => void matching(services, terms, ref).then((item) => item !== null && finish(item), () => {}));
    // The timeout is an event on the served host's real clock (as startServer's waitForMessage), not a
    // timer of its own: serve reads one clock (src/bridge/clock.ts).
    host.clock.advance();
    const timer = host.sim.at(host.clock.nowMs() + timeoutMs, () => finish(null));
    host.clock.advance();
    void (async () => {
      for (const ref of services.captured.all()) {
        if (done) return;
        const item = await matching(services, terms, ref);
        if (item !== null) return finish(item);
      }
    })();
  });
}
