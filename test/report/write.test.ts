import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderHtml } from '../../src/report/html.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { writeReports } from '../../src/report/write.js';
import { runFixture } from './helpers.js';

describe('writeReports', () => {
  const root = mkdtempSync(join(tmpdir(), 'mailsim-write-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('creates the folder and writes NAME.json, NAME.md and NAME.html', () => {
    const { report, events } = runFixture('primary-mx-down.yaml');
    const outDir = join(root, 'nested', 'reports');
    const paths = writeReports(report, { outDir, baseName: 'primary-mx-down', traceEvents: events });
    expect(paths).toEqual({ json: join(outDir, 'primary-mx-down.json'), markdown: join(outDir, 'primary-mx-down.md'), html: join(outDir, 'primary-mx-down.html') });
    expect(JSON.parse(readFileSync(paths.json, 'utf8'))).toEqual(report);
    expect(readFileSync(paths.json, 'utf8')).toMatch(/^\{\n {2}"format": "mailsim-report\/1",\n/);
    expect(readFileSync(paths.markdown, 'utf8')).toBe(renderMarkdown(report));
    expect(readFileSync(paths.html, 'utf8')).toBe(renderHtml(report, events));
  });

  it('without a trace the HTML says the transcripts were not recorded', () => {
    const { report } = runFixture('primary-mx-down.yaml');
    const paths = writeReports(report, { outDir: root, baseName: 'bare', traceEvents: null });
    expect(existsSync(paths.markdown)).toBe(true);
    expect(readFileSync(paths.html, 'utf8')).toContain('Protocol transcripts were not recorded');
  });
});
