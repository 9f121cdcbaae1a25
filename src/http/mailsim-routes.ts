/**
 * mailsim's own endpoints beside Mailpit's: the fault API (`/api/mailsim/v1/faults`, served-faults.ts)
 * and Mailpit's chaos triggers (`/api/v1/chaos`, chaos.ts), both acting on serve's SMTP fault book.
 *
 *   GET    /api/mailsim/v1/faults        → { host, faults: [ { id, fault, description, state } ] }
 *   POST   /api/mailsim/v1/faults        a scenario fault item → 200 its view (400 bad input)
 *   DELETE /api/mailsim/v1/faults/{id}   → 200 { removed: id } (404 when there is none)
 *   DELETE /api/mailsim/v1/faults        → 200 { removed: [ids] }
 *   GET    /api/mailsim/v1/message/{ID}/transcript → 200 { id, port, client, lines: [ { atMs, at, dir, line } ],
 *          linesOmitted }: the SMTP session that delivered the message, up to the reply to its own
 *          final dot (src/bridge/transcripts.ts); 404 for an unknown message or one serve's SMTP
 *          did not receive while the API ran
 */
import type { Hono } from 'hono';
import { formatIsoDateTime } from '../sim/calendar.js';
import { readJson } from './bad-input.js';
import { NotFound } from './mailpit-routes.js';
import type { ApiServices } from './services.js';

export function registerMailsimRoutes(app: Hono, services: ApiServices): void {
  const { faults, chaos } = services;
  app.get('/api/mailsim/v1/faults', (c) => c.json({ host: services.host.name, faults: faults.list() }));
  app.post('/api/mailsim/v1/faults', async (c) => c.json(faults.add(await readJson(c, null))));
  app.delete('/api/mailsim/v1/faults', (c) => {
    const removed = faults.list().map((fault) => fault.id);
    faults.clear();
    return c.json({ removed });
  });
  app.delete('/api/mailsim/v1/faults/:id', (c) => {
    const id = c.req.param('id');
    return faults.remove(id) ? c.json({ removed: id }) : c.json({ Error: `no fault ${id}`, where: 'path.id' }, 404);
  });
  app.get('/api/mailsim/v1/message/:id/transcript', (c) => {
    const id = c.req.param('id');
    const ref = services.captured.find(id);
    if (ref === null) throw new NotFound(`message ${id} not found`);
    const transcript = services.captured.transcript(ref);
    if (transcript === null) return c.json({ Error: `no SMTP transcript for message ${id}: serve's SMTP did not receive it while the HTTP API ran`, where: 'path.id' }, 404);
    const lines = transcript.lines.map((line) => ({ atMs: line.atMs, at: formatIsoDateTime(line.atMs), dir: line.dir, line: line.line }));
    return c.json({ id: ref.id, port: transcript.session.port, client: transcript.session.clientAddress, lines, linesOmitted: transcript.linesOmitted });
  });
  app.get('/api/v1/chaos', (c) => c.json(chaos.view()));
  app.put('/api/v1/chaos', async (c) => c.json(chaos.set(await readJson(c))));
}
