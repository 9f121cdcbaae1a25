/**
 * A message line over 998 octets, sent by swaks to `mailsim serve`'s SMTP port, is accepted and stored
 * whole (as Postfix accepts it: `line_length_limit` only chops it into records it rebuilds), and curl
 * reads it back over IMAP unchanged (issue 19 §4.2; docs/reference.md §12 "Limits").
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliServe, findTool, haveTools, run, serveCli } from './harness.js';

const enabled = haveTools('swaks', 'curl');
let serve: CliServe;

beforeAll(async () => {
  if (enabled) serve = await serveCli(['--domain', 'example.test', '--user', 'erin:pw3']);
});
afterAll(async () => {
  await serve?.stop(2_000);
});

describe.skipIf(!enabled)('mailsim serve takes long lines (swaks, curl)', () => {
  it('a 5,000-octet body line gets 250 and is stored whole', async () => {
    const line = 'L'.repeat(5000);
    const sent = await run(findTool('swaks') ?? 'swaks', [
      '--server', '127.0.0.1', '--port', String(serve.ports.smtp), '--hide-send', '--suppress-data',
      '--from', 'x@remote.invalid', '--to', 'erin@example.test', '--header', 'Subject: long line', '--body', line,
    ]);
    expect(sent.code).toBe(0);
    expect(sent.stdout).toMatch(/^<- +250 2\.0\.0/m);
    const fetched = await run(findTool('curl') ?? 'curl', ['--silent', '--show-error', '--max-time', '10', '--ssl-reqd', '--insecure', `imap://127.0.0.1:${serve.ports.imap}/INBOX;UID=1`, '-u', 'erin:pw3']);
    expect(fetched.stdout).toContain(`\r\n${line}\r\n`);
  });
});
