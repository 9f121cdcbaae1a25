/**
 * The web UI in headless Chromium (Debian's `chromium`, driven by playwright-core; issue 20 points 4
 * and 5): the list updates live after an SMTP send; a message opens with its HTML rendered in the
 * sandboxed iframe; a message carrying `<script>`, an `onerror` image and a remote image runs nothing
 * and loads nothing (a loopback tracker counts any request it would make); a fault switched on in the
 * faults panel makes the next swaks send fail with the chosen reply; the transcript tab shows the
 * SMTP session that delivered the message.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import nodemailer from 'nodemailer';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningHttpApi, startHttpApi } from '../../src/http/api.js';
import { browserTimeoutMs, chromiumPath, itHasChromium, runBrowserTests, warnIfSkipped } from '../chromium.js';
import { findTool, haveTools, type InProcessServe, run, serveInProcess } from '../interop/harness.js';

warnIfSkipped('the web UI test');

let serve: InProcessServe;
let http: RunningHttpApi;
let browser: Browser;
let tracker: Server;
const trackerHits: string[] = [];

describe.runIf(runBrowserTests)('the web UI in headless chromium', { timeout: browserTimeoutMs }, () => {
  itHasChromium();

  beforeAll(async () => {
    serve = await serveInProcess();
    http = await startHttpApi({ host: serve.running.host, port: 0 });
    tracker = createServer((request, response) => {
      trackerHits.push(request.url ?? '');
      response.end();
    });
    await new Promise<void>((resolve) => tracker.listen(0, '127.0.0.1', resolve));
    browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  }, browserTimeoutMs);
  afterAll(async () => {
    await browser?.close();
    tracker?.close();
    await http?.close();
    await serve?.stop();
  });

  it('lists a message live, opens it, and runs none of its scripts nor loads remote content', async () => {
    const page = await browser.newPage();
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await page.goto(`http://127.0.0.1:${http.port}/`);
    await page.waitForSelector('body[data-live="true"]');
    const track = `http://127.0.0.1:${(tracker.address() as AddressInfo).port}`;
    const hostile = [
      '<p id="hello">Hello <b>Bob</b></p>',
      `<script>alert('script'); parent.document.title = 'pwned'; fetch('${track}/script');</script>`,
      `<img src="missing.png" onerror="alert('onerror'); parent.document.title = 'pwned'; new Image().src = '${track}/onerror'">`,
      `<img src="${track}/remote-image">`,
    ].join('\n');
    await nodemailer
      .createTransport({ host: '127.0.0.1', port: serve.ports.smtp, secure: false, ignoreTLS: true })
      .sendMail({ from: 'mallory@example.test', to: 'bob@example.test', subject: 'hostile', text: 'plain part', html: hostile });
    const item = page.locator('#messages li', { hasText: 'hostile' });
    await item.waitFor(); // no reload: the event stream told the page
    await item.click();
    await expect.poll(() => page.locator('#subject').textContent()).toBe('hostile');
    const frame = page.frameLocator('#html-view');
    await expect.poll(() => frame.locator('#hello').textContent()).toBe('Hello Bob');
    expect(await page.locator('#html-view').getAttribute('sandbox')).toBe('');
    await page.waitForTimeout(500);
    expect(trackerHits).toEqual([]);
    expect(dialogs).toEqual([]);
    expect(await page.title()).toBe('mailsim serve');
    await page.click('button[data-tab="text"]');
    expect((await page.locator('#text-view').textContent())?.trim()).toBe('plain part');
    await page.click('button[data-tab="raw"]');
    expect(await page.locator('#raw-view').textContent()).toMatch(/^Return-Path: <mallory@example\.test>/);
    await page.click('button[data-tab="transcript"]');
    const transcript = page.locator('#transcript-view');
    expect(await transcript.isVisible()).toBe(true);
    expect(await transcript.textContent()).toContain('C MAIL FROM:<mallory@example.test>');
    expect(await transcript.textContent()).toMatch(/C <\d+ bytes of message data>/);
    await page.close();
  });

  it('a fault switched on in the faults panel makes the next swaks send fail with that reply', async () => {
    if (!haveTools('swaks')) return;
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${http.port}/`);
    await page.waitForSelector('body[data-live="true"]');
    await page.selectOption('select[name="kind"]', 'reply');
    await page.selectOption('select[name="stage"]', 'rcpt');
    await page.fill('input[name="code"]', '550');
    await page.fill('input[name="text"]', '5.7.1 Not today (ui)');
    await page.click('#fault-form button[type="submit"]');
    await page.locator('#faults li', { hasText: 'answers 550 5.7.1 Not today (ui) at rcpt' }).waitFor();
    const swaks = (subject: string) => run(findTool('swaks')!, ['--server', '127.0.0.1', '--port', String(serve.ports.smtp), '--from', 'alice@example.test', '--to', 'bob@example.test', '--header', `Subject: ${subject}`]);
    const refused = await swaks('refused');
    expect(refused.code).not.toBe(0);
    expect(refused.stdout).toMatch(/<\*\* +550 5\.7\.1 Not today \(ui\)/);
    await page.locator('#faults li button').click();
    await page.locator('#faults li').waitFor({ state: 'detached' });
    expect((await swaks('accepted')).code).toBe(0);
    await page.close();
  });
});
