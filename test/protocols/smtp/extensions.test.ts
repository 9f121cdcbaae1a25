/**
 * The ESMTP extension registry (src/protocols/smtp/extensions/): the EHLO reply lists the offered
 * extensions in registry order, each MAIL/RCPT parameter is known only when its extension was offered,
 * and REQUIRETLS (RFC 8689) is offered on TLS sessions only, when configured.
 */
import { describe, expect, it } from 'vitest';
import { parseCapabilities } from '../../../src/protocols/smtp/client-capabilities.js';
import { mailCommand } from '../../../src/protocols/smtp/client-commands.js';
import { mailParameters, rcptParameters, smtpExtensions } from '../../../src/protocols/smtp/extensions/index.js';
import { codes, EHLO, finalReplyLines, options, replayBoth } from './server-harness.js';

const ehloLines = (output: string) =>
  output
    .split('\r\n')
    .filter((line) => line.startsWith('250-') || line.startsWith('250 '))
    .map((line) => line.slice(4));

describe('ESMTP extensions', () => {
  it('each keyword and parameter is declared once', () => {
    expect(new Set(smtpExtensions.map((e) => e.keyword)).size).toBe(smtpExtensions.length);
    const mailKeys = smtpExtensions.flatMap((e) => Object.keys(e.mailParameters ?? {}));
    expect(new Set(mailKeys).size).toBe(mailKeys.length);
    expect([...mailParameters.keys()]).toEqual(['SIZE', 'BODY', 'SMTPUTF8', 'RET', 'ENVID', 'AUTH', 'REQUIRETLS']);
    expect([...rcptParameters.keys()]).toEqual(['NOTIFY', 'ORCPT']);
  });

  it('REQUIRETLS is offered after STARTTLS only, and only when configured', () => {
    const configured = options({ extensions: { requireTls: true } });
    const before = replayBoth(configured, [EHLO]);
    expect(ehloLines(before.output)).not.toContain('REQUIRETLS');
    const after = replayBoth(configured, [EHLO, 'STARTTLS\r\n', { tls: true }, EHLO]);
    expect(ehloLines(after.output).at(-1)).toBe('REQUIRETLS');
    const notConfigured = replayBoth(options(), [EHLO, 'STARTTLS\r\n', { tls: true }, EHLO]);
    expect(ehloLines(notConfigured.output)).not.toContain('REQUIRETLS');
  });

  it('MAIL FROM … REQUIRETLS: 555 without TLS (not offered), 250 over TLS, 501 with a value', () => {
    const configured = options({ extensions: { requireTls: true } });
    expect(finalReplyLines(replayBoth(configured, [EHLO, 'MAIL FROM:<a@b.example> REQUIRETLS\r\n']).output).at(-1)).toBe('555 5.5.4 Unsupported parameter REQUIRETLS');
    const tls = replayBoth(configured, [EHLO, 'STARTTLS\r\n', { tls: true }, EHLO, 'MAIL FROM:<a@b.example> REQUIRETLS\r\n']);
    expect(codes(tls.output).at(-1)).toBe(250);
    const valued = replayBoth(configured, [EHLO, 'STARTTLS\r\n', { tls: true }, EHLO, 'MAIL FROM:<a@b.example> REQUIRETLS=yes\r\n']);
    expect(finalReplyLines(valued.output).at(-1)).toBe('501 5.5.4 Bad value for parameter REQUIRETLS');
  });

  it('the client reads REQUIRETLS and writes the parameter only when offered', () => {
    const offered = parseCapabilities({ code: 250, enhanced: null, lines: ['mx.example', 'SIZE 1000', 'DSN', 'REQUIRETLS'] });
    expect(offered.requireTls).toBe(true);
    const input = { from: 'a@b.example', sizeBytes: 10, eightBit: false, body: null, smtpUtf8: false, ret: 'HDRS' as const, envid: 'x1', requireTls: true };
    expect(mailCommand(input, offered)).toBe('MAIL FROM:<a@b.example> SIZE=10 RET=HDRS ENVID=x1 REQUIRETLS\r\n');
    const not = parseCapabilities({ code: 250, enhanced: null, lines: ['mx.example', 'SIZE 1000'] });
    expect(mailCommand(input, not)).toBe('MAIL FROM:<a@b.example> SIZE=10\r\n');
  });
});
