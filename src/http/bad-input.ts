/**
 * "Bad input" (issue 20): a request the API cannot act on is answered 400 with a JSON body saying
 * what was wrong and where — `{ "Error": …, "where": "body.reply.code" }` — and changes nothing;
 * stored mail and SMTP intake are untouched. `Error` is Mailpit's field name for an error message.
 *
 * `where` names the place in the request: `body` (the JSON body; then the key path into it, as the
 * scenario loader formats paths: `reply.code`, `faults[0]`), `query.NAME`, or `path.NAME`.
 */
import type { Context } from 'hono';

/** Bytes a request body may have (a fault, a chaos setting, a list of ids: small). */
export const requestBodyBytesMax = 256 * 1024;

export class BadInput extends Error {
  constructor(
    message: string,
    readonly where: string,
  ) {
    super(message);
    this.name = 'BadInput';
  }
}

export function badInputResponse(c: Context, error: BadInput) {
  return c.json({ Error: error.message, where: error.where }, 400);
}

/**
 * The request's JSON body; an empty body is `fallback`. Malformed JSON is a BadInput that says
 * where the parser stopped.
 */
export async function readJson(c: Context, fallback: unknown = {}): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === '') return fallback;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new BadInput(`malformed JSON: ${error instanceof Error ? error.message : String(error)}`, 'body');
  }
}

/** A whole number from a query parameter (default when absent). */
export function queryInt(c: Context, name: string, fallback: number, min: number, max: number): number {
  const text = c.req.query(name);
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) throw new BadInput(`${name} wants a whole number from ${min} to ${max}, got ${JSON.stringify(text)}`, `query.${name}`);
  return value;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
