/**
 * `mailsim serve` with the HTTP API from the command line (docs/reference.md §12): `--http 0` prints a
 * `LISTEN http` line and the API answers there; `--no-http` opens none; a bad `--http-auth` exits 2.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { type CliServe, serveCli } from '../interop/harness.js';
import { asJson } from './json.js';

const started: CliServe[] = [];
afterAll(async () => {
  for (const serve of started) await serve.stop();
});

describe('mailsim serve --http', () => {
  it('--http 0 --http-auth: a LISTEN http line on 127.0.0.1, the API behind basic auth', async () => {
    const serve = await serveCli(['--http-auth', 'me:pw']);
    started.push(serve);
    const line = serve.stdout().split('\n').find((l) => l.startsWith('LISTEN http '));
    expect(line).toMatch(/^LISTEN http 127\.0\.0\.1:\d+$/);
    const port = (serve.ports as Record<string, number>).http;
    expect((await fetch(`http://127.0.0.1:${port}/api/v1/messages`)).status).toBe(401);
    const ok = await fetch(`http://127.0.0.1:${port}/api/v1/messages`, { headers: { Authorization: `Basic ${Buffer.from('me:pw').toString('base64')}` } });
    expect((await ok.json().then(asJson)).total).toBe(0);
  }, 60_000);

  it('--no-http opens no HTTP listener', async () => {
    const serve = await serveCli(['--no-http']);
    started.push(serve);
    expect(serve.stdout()).not.toMatch(/LISTEN http/);
  }, 60_000);

  it('a bad --http-auth exits 2 with a message', async () => {
    await expect(serveCli(['--http-auth', 'nocolon'])).rejects.toThrow(/exited \(2\).*--http-auth wants USER:PASSWORD/s);
  }, 60_000);
});
