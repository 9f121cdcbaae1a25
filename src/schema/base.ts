/**
 * Building blocks of the scenario schema: strict objects that remember their keys (for "did you
 * mean"), durations and sizes (docs/reference.md §1) that parse to numbers with the messages of units.ts,
 * host names, domain names (RFC 1035 §2.3.4 lengths) and mail addresses (RFC 5321 §4.5.3.1.1–3 lengths).
 *
 * Every schema carries a `description` so the generated JSON Schema gives editors hover help, and
 * a `pattern` where the runtime check is a parser, so editors can flag obvious mistakes too.
 */
import { z } from 'zod';
import { durationPattern, parseDuration, parseSize, sizePattern } from './units.js';

/** The field a strict object adds to its `unrecognized_keys` issue so the loader can suggest a key. */
export const knownKeysField = 'knownKeys';

/**
 * A closed object: unknown keys are errors. Zod copies every own field of a raw issue into the final
 * one, so the error hook attaches the list of valid keys for the loader's "did you mean".
 */
export function strictObject<T extends z.ZodRawShape>(shape: T, description: string) {
  const known = Object.keys(shape);
  return z
    .strictObject(shape, {
      error: (issue) => {
        if (issue.code === 'unrecognized_keys') Object.assign(issue, { [knownKeysField]: known });
        if (issue.code === 'invalid_type') return `expected a mapping (${description})`;
        return undefined;
      },
    })
    .meta({ description });
}

const durationHelp = 'expected a duration such as 250ms, 30s, 5m, 4h, 5d or 1h30m (a bare number is milliseconds)';
const sizeHelp = 'expected a size such as 512, 10kB, 2MB or 4MiB (a bare number is bytes)';

/**
 * Defaults to show in the JSON Schema for schemas that transform (durations, sizes): zod drops
 * `default` from transforming schemas when it describes the input side, so json-schema.ts puts these
 * back through its `override` hook.
 */
export const editorDefaults = new WeakMap<z.ZodType, unknown>();

function withEditorDefault<T extends z.ZodType>(schema: T, value: unknown): T {
  if (value !== undefined) editorDefaults.set(schema, value);
  return schema;
}

/** A duration in whole milliseconds (§1). */
export function duration(description: string, defaultText?: string) {
  const schema = z
    .union([z.string(), z.number()], { error: durationHelp })
    .transform((value, ctx): number => {
      const parsed = parseDuration(value);
      if (parsed.ok) return parsed.value;
      ctx.issues.push({ code: 'custom', message: parsed.message, input: value });
      return z.NEVER;
    })
    .meta({
      description: `${description} — a duration: 250ms, 30s, 5m, 4h, 5d, 1h30m; a bare number is milliseconds`,
      pattern: durationPattern,
      minimum: 0,
    });
  return withEditorDefault(schema, defaultText);
}

/** A size in bytes (§1). */
export function size(description: string, defaultValue?: number | string) {
  const schema = z
    .union([z.string(), z.number()], { error: sizeHelp })
    .transform((value, ctx): number => {
      const parsed = parseSize(value);
      if (parsed.ok) return parsed.value;
      ctx.issues.push({ code: 'custom', message: parsed.message, input: value });
      return z.NEVER;
    })
    .meta({
      description: `${description} — a size: 512, 10kB, 2MB (powers of 1000), 4KiB, 2MiB (powers of 1024); a bare number is bytes`,
      pattern: sizePattern,
      minimum: 0,
    });
  return withEditorDefault(schema, defaultValue);
}

/** A whole number within bounds. */
export function wholeNumber(description: string, min: number, max: number, defaultValue?: number) {
  const expected = max >= Number.MAX_SAFE_INTEGER ? `expected a whole number, ${min} or more` : `expected a whole number from ${min} to ${max}`;
  return z
    .number({ error: expected })
    .int({ error: expected })
    .min(min, { error: expected })
    .max(max, { error: expected })
    .meta({ description, ...(defaultValue === undefined ? {} : { default: defaultValue }) });
}

export function probability(description: string) {
  return z
    .number({ error: 'expected a probability from 0 to 1, such as 0.3' })
    .min(0, { error: 'expected a probability from 0 to 1, such as 0.3' })
    .max(1, { error: 'expected a probability from 0 to 1, such as 0.3' })
    .meta({ description });
}

/** A label: letters, digits, `-` and `_` (for names like `_dmarc`), 1–63 octets (RFC 1035 §2.3.4). */
const labelPattern = '[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?';
export const hostNamePattern = `^(?=.{1,254}$)${labelPattern}(?:\\.${labelPattern})*\\.?$`;
const hostNameRegex = new RegExp(hostNamePattern);
/** Domain length limit 255 octets (RFC 5321 §4.5.3.1.2); local part 64 (§4.5.3.1.1). */
const localPartPattern = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}";
export const addressPattern = `^${localPartPattern}@${labelPattern}(?:\\.${labelPattern})*$`;
const addressRegex = new RegExp(addressPattern);

export function hostName(description: string) {
  return z
    .string({ error: 'expected a host name such as mx1.example.org' })
    .regex(hostNameRegex, { error: 'expected a host name such as mx1.example.org (letters, digits, "-" and "." only)' })
    .meta({ description });
}

export function domainName(description: string) {
  return z
    .string({ error: 'expected a domain name such as example.org' })
    .regex(hostNameRegex, { error: 'expected a domain name such as example.org (letters, digits, "-" and "." only)' })
    .meta({ description });
}

export function address(description: string) {
  return z
    .string({ error: 'expected a mail address such as bob@example.org' })
    .max(320, { error: 'a mail address has at most 320 characters (RFC 5321 §4.5.3.1)' })
    .regex(addressRegex, { error: 'expected a mail address such as bob@example.org' })
    .meta({ description });
}

export function ipAddress(description: string) {
  return z
    .union([z.ipv4(), z.ipv6()], { error: 'expected an IPv4 or IPv6 address such as 10.0.0.10 or 2001:db8::1' })
    .meta({ description });
}

export function flag(description: string, defaultValue?: boolean) {
  return z.boolean({ error: 'expected true or false' }).meta({ description, ...(defaultValue === undefined ? {} : { default: defaultValue }) });
}

/** One value or a list of them. */
export function oneOrList<T extends z.ZodType>(item: T, description: string, listMax: number) {
  return z
    .union([item, z.array(item).max(listMax, { error: `at most ${listMax} items` })], {
      error: `expected ${description}, or a list of them`,
    })
    .meta({ description: `${description}, or a list of them` });
}

/** A list with a named size limit. */
export function list<T extends z.ZodType>(item: T, description: string, listMax: number) {
  return z
    .array(item, { error: `expected a list (${description})` })
    .max(listMax, { error: `at most ${listMax} items` })
    .meta({ description });
}

/** A map from names to values (hosts, dns, users …), keys checked by `key`. */
export function map<K extends z.ZodType<string>, V extends z.ZodType>(key: K, value: V, description: string) {
  return z.record(key, value, { error: `expected a mapping (${description})` }).meta({ description });
}
