/**
 * The HTTP application (Hono): safety first — optional basic auth over everything, a bound on request
 * bodies — then the route groups, and one error handler that turns bad input into 400 with a JSON
 * error (bad-input.ts), an unknown message into 404, and anything else into 500 without a stack.
 */
import { Hono } from 'hono';
import { basicAuth } from 'hono/basic-auth';
import { bodyLimit } from 'hono/body-limit';
import { BadInput, badInputResponse, requestBodyBytesMax } from './bad-input.js';
import { registerLiveRoutes } from './live-routes.js';
import { NotFound, registerMailpitRoutes } from './mailpit-routes.js';
import { registerMailsimRoutes } from './mailsim-routes.js';
import type { ApiServices } from './services.js';
import { registerUiRoutes } from './ui-routes.js';

export interface HttpAuth {
  username: string;
  password: string;
}

export function buildApp(services: ApiServices, auth: HttpAuth | null): Hono {
  const app = new Hono();
  if (auth !== null) app.use('*', basicAuth({ username: auth.username, password: auth.password, realm: 'mailsim' }));
  app.use(
    '*',
    bodyLimit({
      maxSize: requestBodyBytesMax,
      onError: (c) => {
        // The rest of the body is not read: the connection cannot carry another request.
        c.header('Connection', 'close');
        return badInputResponse(c, new BadInput(`the request body is larger than ${requestBodyBytesMax} bytes`, 'body'));
      },
    }),
  );
  registerMailpitRoutes(app, services);
  registerMailsimRoutes(app, services);
  registerLiveRoutes(app, services);
  registerUiRoutes(app, services);
  app.notFound((c) => c.json({ Error: `no endpoint ${c.req.method} ${c.req.path} (docs/http-api.md lists what mailsim serves)`, where: 'path' }, 404));
  app.onError((error, c) => {
    if (error instanceof BadInput) return badInputResponse(c, error);
    if (error instanceof NotFound) return c.json({ Error: error.message, where: 'path.id' }, 404);
    if ('getResponse' in error && typeof error.getResponse === 'function') return error.getResponse() as Response; // Hono's HTTPException (basic auth's 401)
    return c.json({ Error: error instanceof Error ? error.message : String(error) }, 500);
  });
  return app;
}
