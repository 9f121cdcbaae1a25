/**
 * The Mailpit-compatible endpoints (https://mailpit.axllent.org/docs/api-v1/) that test suites use:
 * list, search, one message, its headers, raw source and parts, read status, delete, info. Shapes and
 * status codes are Mailpit's (JSON, or the text `ok` for a change), so `mailpit-api` works unchanged.
 * What is not here (tags, release, send, HTML/link/spam checks, thumbnails) answers 404 and is listed
 * in docs/http-api.md.
 */
import type { Context, Hono } from 'hono';
import { VERSION } from '../schema/version.js';
import { BadInput, isRecord, queryInt, readJson } from './bad-input.js';
import type { StoredRef } from './captured.js';
import { attachmentPart, headersView, listItem, listItemOf, type MailpitListItem, messageView, parsed } from './message-view.js';
import { matches, parseQuery } from './search.js';
import type { ApiServices } from './services.js';

/** Most messages one page may list (Mailpit's limit is the same order). */
export const pageLimitMax = 10_000;
const pageLimitDefault = 50;

export function registerMailpitRoutes(app: Hono, services: ApiServices): void {
  const { captured } = services;
  app.get('/api/v1/messages', async (c) => {
    const all = captured.all();
    return c.json(await page(c, services, all, all));
  });
  app.get('/api/v1/search', async (c) => {
    const all = captured.all();
    return c.json(await page(c, services, await search(services, all, queryText(c)), all));
  });
  app.delete('/api/v1/search', async (c) => {
    captured.delete(await search(services, captured.all(), queryText(c)));
    return c.text('ok');
  });
  app.put('/api/v1/messages', async (c) => {
    const body = await readJson(c);
    const request = checkedIds(body);
    const read = isRecord(body) && body.Read === true;
    const search = (isRecord(body) && typeof body.Search === 'string' ? body.Search : undefined) ?? c.req.query('search');
    const targets = request.length > 0 ? findAll(services, request) : search !== undefined ? await searchRefs(services, search) : captured.all();
    captured.setRead(targets, read);
    return c.text('ok');
  });
  app.delete('/api/v1/messages', async (c) => {
    const ids = checkedIds(await readJson(c));
    captured.delete(ids.length > 0 ? findAll(services, ids) : captured.all());
    return c.text('ok');
  });
  registerMessageRoutes(app, services);
  app.get('/api/v1/info', (c) => c.json(info(services)));
  app.get('/api/v1/webui', (c) => c.json({ Label: 'mailsim', ChaosEnabled: true, DuplicatesIgnored: false, HideDeleteAllButton: false, SpamAssassin: false, MessageRelay: { Enabled: false, SMTPServer: '', ReturnPath: '', AllowedRecipients: '', BlockedRecipients: '', OverrideFrom: '', PreserveMessageIDs: false, RecipientAllowlist: '' } }));
}

function registerMessageRoutes(app: Hono, services: ApiServices): void {
  const { captured } = services;
  app.get('/api/v1/message/:id', async (c) => {
    const ref = found(services, c.req.param('id'));
    const view = messageView(ref, await parsed(ref, (r) => captured.read(r)));
    captured.setRead([ref], true); // Mailpit marks a message read when it is fetched whole
    return c.json(view);
  });
  app.get('/api/v1/message/:id/headers', async (c) => {
    const ref = found(services, c.req.param('id'));
    return c.json(headersView(await parsed(ref, (r) => captured.read(r))));
  });
  app.get('/api/v1/message/:id/raw', (c) => {
    const ref = found(services, c.req.param('id'));
    return c.body(Buffer.from(captured.read(ref)).toString('latin1'), 200, { 'Content-Type': 'text/plain; charset=utf-8' });
  });
  app.get('/api/v1/message/:id/part/:part', async (c) => {
    const ref = found(services, c.req.param('id'));
    const part = attachmentPart(await parsed(ref, (r) => captured.read(r)), c.req.param('part'));
    if (part === null) return c.json({ Error: 'no such part', where: 'path.part' }, 404);
    return c.body(new Uint8Array(part.content), 200, { 'Content-Type': part.contentType, 'Content-Disposition': `attachment; filename="${(part.filename ?? 'part').replace(/["\\\r\n]/g, '_')}"` });
  });
}

function queryText(c: Context): string {
  const query = c.req.query('query');
  if (query === undefined || query.trim() === '') throw new BadInput('query is required', 'query.query');
  return query;
}

function checkedIds(body: unknown): string[] {
  if (!isRecord(body)) throw new BadInput('expected a JSON object { IDs?: string[] }', 'body');
  const ids = body.IDs ?? body.ids ?? [];
  if (!Array.isArray(ids) || ids.some((id) => typeof id !== 'string')) throw new BadInput('IDs wants a list of message ids (strings)', 'body.IDs');
  return ids as string[];
}

/** The message an id names; 404 (Mailpit's answer) when it is not stored. */
function found(services: ApiServices, id: string): StoredRef {
  const ref = services.captured.find(id);
  if (ref === null) throw new NotFound(`message ${id} not found`);
  return ref;
}

function findAll(services: ApiServices, ids: readonly string[]): StoredRef[] {
  return ids.map((id) => found(services, id));
}

export class NotFound extends Error {}

async function searchRefs(services: ApiServices, query: string): Promise<StoredRef[]> {
  return search(services, services.captured.all(), query);
}

async function search(services: ApiServices, refs: readonly StoredRef[], query: string): Promise<StoredRef[]> {
  let terms: ReturnType<typeof parseQuery>;
  try {
    terms = parseQuery(query);
  } catch (error) {
    throw new BadInput(error instanceof Error ? error.message : String(error), 'query.query');
  }
  const hits: StoredRef[] = [];
  for (const ref of refs) {
    const mail = await parsed(ref, (r) => services.captured.read(r));
    if (matches(terms, listItem(ref, mail), mail)) hits.push(ref);
  }
  return hits;
}

async function page(c: Context, services: ApiServices, hits: readonly StoredRef[], all: readonly StoredRef[]) {
  const start = queryInt(c, 'start', 0, 0, Number.MAX_SAFE_INTEGER);
  const limit = queryInt(c, 'limit', pageLimitDefault, 0, pageLimitMax);
  const slice = hits.slice(start, start + limit);
  const messages: MailpitListItem[] = [];
  for (const ref of slice) messages.push(await listItemOf(ref, services.captured));
  const unread = (refs: readonly StoredRef[]) => refs.filter((ref) => !ref.info.flags.includes('\\Seen')).length;
  return { total: all.length, unread: unread(all), count: messages.length, messages_count: hits.length, messages_unread: unread(hits), start, tags: [], messages };
}

function info(services: ApiServices) {
  const all = services.captured.all();
  return {
    Version: `mailsim ${VERSION}`,
    LatestVersion: '',
    Database: services.maildir ?? '(memory)',
    DatabaseSize: all.reduce((sum, ref) => sum + ref.info.size, 0),
    Messages: all.length,
    Unread: all.filter((ref) => !ref.info.flags.includes('\\Seen')).length,
    Tags: {},
    RuntimeStats: { Uptime: Math.floor(services.uptimeMs() / 1000), MessagesDeleted: 0, SMTPAccepted: services.stats.accepted, SMTPAcceptedSize: 0, SMTPRejected: services.stats.rejected, SMTPIgnored: 0 },
  };
}
