/**
 * The web UI at `/` (issue 20 point 4, docs/http-api.md): one page, its script and its style, from
 * src/http/ui/ (copied beside the compiled file by scripts/copy-ui.mjs), and the page a message's HTML
 * part is shown in.
 *
 * The UI never executes message content. Its own page allows only its own script and style
 * (Content-Security-Policy, W3C CSP Level 3) and sets every message field as text. A message's HTML
 * goes into an iframe with `sandbox=""` (HTML living standard: no scripts, an opaque origin), served
 * with a policy of its own that allows no script and no remote content at all — `default-src 'none'`,
 * inline styles and `data:` images only, and CSP's `sandbox` directive, so even opened on its own the
 * page runs nothing and loads nothing (no tracking pixel, no remote image).
 */
import { readFileSync } from 'node:fs';
import type { Context, Hono } from 'hono';
import type { ApiServices } from './services.js';
import { parsed } from './message-view.js';

const uiPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
const messagePolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'self'; sandbox";

const assets = { 'index.html': 'text/html; charset=utf-8', 'app.js': 'text/javascript; charset=utf-8', 'app.css': 'text/css; charset=utf-8' } as const;
type Asset = keyof typeof assets;
const loaded = new Map<Asset, string>();

function asset(name: Asset): string {
  let text = loaded.get(name);
  if (text === undefined) {
    text = readFileSync(new URL(`./ui/${name}`, import.meta.url), 'utf8');
    loaded.set(name, text);
  }
  return text;
}

function serveAsset(c: Context, name: Asset) {
  return c.body(asset(name), 200, { 'Content-Type': assets[name], 'Content-Security-Policy': uiPolicy, 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer' });
}

export function registerUiRoutes(app: Hono, services: ApiServices): void {
  app.get('/', (c) => serveAsset(c, 'index.html'));
  app.get('/ui/app.js', (c) => serveAsset(c, 'app.js'));
  app.get('/ui/app.css', (c) => serveAsset(c, 'app.css'));
  app.get('/ui/message/:id/html', async (c) => {
    const ref = services.captured.find(c.req.param('id'));
    if (ref === null) return c.text('no such message', 404);
    const mail = await parsed(ref, (r) => services.captured.read(r));
    const html = typeof mail.html === 'string' ? mail.html : '';
    return c.body(html, 200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': messagePolicy, 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer' });
  });
}
