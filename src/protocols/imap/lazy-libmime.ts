/**
 * libmime (MIME header parsing and RFC 2047 decoding for the IMAP server), loaded on first use: it
 * pulls in iconv-lite's tables (~50 ms), which a run without an IMAP FETCH or SEARCH never needs, and
 * the command line should start fast (docs/reference.md §10).
 */
import { createRequire } from 'node:module';
import type Libmime from 'libmime';

let loaded: typeof Libmime | null = null;

export function libmime(): typeof Libmime {
  loaded ??= createRequire(import.meta.url)('libmime') as typeof Libmime;
  return loaded;
}
