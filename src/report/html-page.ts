/**
 * The shell of mailsim's self-contained HTML pages (the run report, `sweep.html`): doctype, charset,
 * a Content-Security-Policy, viewport, title, inline style sheets, `<main>` and the inline scripts
 * at the end of `<body>`.
 *
 * The policy allows no network (`default-src 'none'`) and exactly the page's own inline scripts, by
 * their SHA-256, so a value that slipped past escaping still could not run. The caller escapes
 * nothing here but the title: the style sheets, the `<main>` markup and the scripts arrive ready.
 */
import { createHash } from 'node:crypto';
import { esc } from './html-text.js';

export interface HtmlPage {
  title: string;
  /** Inline style sheets, each its own `<style>`. */
  styles: readonly string[];
  /** Attributes of `<body>`, e.g. ` data-passed="true"` (with its leading space), or ''. */
  bodyAttributes: string;
  /** The markup inside `<main>`. */
  main: string;
  /** Elements after `<main>` that are not executed, e.g. a `<script type="application/json">` data block. */
  data?: string;
  /** Inline scripts, each its own `<script>`, in order; the policy allows these and no other. */
  scripts: readonly string[];
}

const scriptHash = (script: string) => `'sha256-${createHash('sha256').update(script, 'utf8').digest('base64')}'`;

/** No network, inline styles, only these scripts (by hash), images only as data: URLs. */
export function contentSecurityPolicy(scripts: readonly string[]): string {
  return `default-src 'none'; style-src 'unsafe-inline'; script-src ${scripts.map(scriptHash).join(' ')}; img-src data:; base-uri 'none'; form-action 'none'`;
}

export function htmlPage(page: HtmlPage): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(page.scripts)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="mailsim">
<title>${esc(page.title)}</title>
${page.styles.map((css) => `<style>${css}</style>`).join('\n')}
</head>
<body${page.bodyAttributes}>
<main>
${page.main}
</main>
${page.data === undefined ? '' : `${page.data}\n`}${page.scripts.map((js) => `<script>${js}</script>`).join('\n')}
</body>
</html>
`;
}
