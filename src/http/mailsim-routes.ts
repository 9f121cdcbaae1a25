/**
 * mailsim's own endpoints beside Mailpit's: the fault API (`/api/mailsim/v1/faults`, served-faults.ts)
 * and Mailpit's chaos triggers (`/api/v1/chaos`, chaos.ts), both acting on serve's SMTP fault book.
 *
 *   GET    /api/mailsim/v1/faults        → { host, faults: [ { id, fault, description, state } ] }
 *   POST   /api/mailsim/v1/faults        a scenario fault item → 200 its view (400 bad input)
 *   DELETE /api/mailsim/v1/faults/{id}   → 200 { removed: id } (404 when there is none)
 *   DELETE /api/mailsim/v1/faults        → 200 { removed: [ids] }
 */
import type { Hono } from 'hono';
import { readJson } from './bad-input.js';
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
  app.get('/api/v1/chaos', (c) => c.json(chaos.view()));
  app.put('/api/v1/chaos', async (c) => c.json(chaos.set(await readJson(c))));
}
