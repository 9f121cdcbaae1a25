/**
 * Text helpers for the HTML report. Every string that reaches the page goes through `esc` (element
 * content and quoted attribute values alike): transcripts, reply lines, subjects and addresses are
 * bytes a peer or a scenario author chose, so `<script>` must arrive as text, never as markup.
 * `visible` also shows control characters as `\xNN`, so a stray NUL or ESC in a transcript is seen,
 * not swallowed by the browser.
 */

const htmlEscapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes for element content and for attribute values in double or single quotes. */
export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => htmlEscapes[c] ?? c);
}

/** Control characters (except TAB) as `\xNN`; the result still needs `esc`. */
export function visible(text: string): string {
  return text.replace(/[\x00-\x08\x0a-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** At most `charsMax` characters, with `…` when cut. */
export function truncate(text: string, charsMax: number): string {
  return text.length <= charsMax ? text : `${text.slice(0, Math.max(0, charsMax - 1))}…`;
}

/** `1234` → `1.2 kB`, for byte counts a reader skims. */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1_000_000) return `${(bytes / 1000).toFixed(1)} kB`;
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}

/** A number for an SVG coordinate: two decimals at most, no `-0`. */
export function num(value: number): string {
  const rounded = Math.round(value * 100) / 100;
  return Object.is(rounded, -0) ? '0' : String(rounded);
}
