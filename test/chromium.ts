/**
 * Headless chromium for the browser tests (test/report/browser.test.ts, test/sweep/browser.test.ts):
 * where the browser is, whether the tests run (with chromium, or always in CI, where a missing browser
 * is a failure: CI installs the Debian package `chromium`), and one run of it with a fresh profile
 * and the network-quiet flags; and what their tests share.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';

export const chromiumPath = process.env.MAILSIM_CHROMIUM ?? '/usr/bin/chromium';
export const haveChromium = existsSync(chromiumPath);
export const inCi = Boolean(process.env.CI);
/** Whether a browser test file runs its tests (else it warns and skips). */
export const runBrowserTests = haveChromium || inCi;

/**
 * How long one chromium may run before it is killed. The browsers start together with the rest of
 * the suite; on a busy 2-CPU machine they took 14-18 s, so a 30 s bound was within 2x of failing for
 * load alone. A hung browser is still caught, just later.
 */
export const browserTimeoutMs = 120_000;

const baseFlags = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/** Says why a browser test file is skipped, when it is. */
export function warnIfSkipped(what: string): void {
  if (!runBrowserTests) console.warn(`${what} skipped: no chromium at ${chromiumPath} (apt-get install chromium, or set MAILSIM_CHROMIUM); in CI it fails instead`);
}

let profiles = 0;

/** Runs chromium once with a fresh profile under `root`; resolves with its stdout and stderr. */
export function runChromium(root: string, args: readonly string[]): Promise<{ stdout: string; stderr: string }> {
  const profile = join(root, `profile-${++profiles}`);
  return new Promise((resolve, reject) => {
    execFile(chromiumPath, [...baseFlags, `--user-data-dir=${profile}`, ...args], { timeout: browserTimeoutMs, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`chromium failed: ${error.message}\n${stderr.slice(-2000)}`));
      else resolve({ stdout, stderr });
    });
  });
}

/** The test every browser test file starts with: in CI a missing chromium fails it. */
export function itHasChromium(): void {
  it('chromium is installed (CI installs the Debian package `chromium`)', () => {
    expect(haveChromium, `no chromium at ${chromiumPath}`).toBe(true);
  });
}

/** The opening tag of the first element with this attribute text in a dumped DOM. */
export function openingTag(dom: string, attribute: string): string {
  const at = dom.indexOf(attribute);
  expect(at, attribute).toBeGreaterThan(0);
  return dom.slice(dom.lastIndexOf('<', at), dom.indexOf('>', at) + 1);
}

/** A screenshot chromium wrote: a PNG of the window's size, and not blank (more than `bytesMin`). */
export function expectScreenshot(path: string, widthPx: number, heightPx: number, bytesMin: number): void {
  const png = readFileSync(path);
  expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
  expect(png.readUInt32BE(16)).toBe(widthPx);
  expect(png.readUInt32BE(20)).toBe(heightPx);
  expect(png.length).toBeGreaterThan(bytesMin);
}
