/**
 * The one canonical form of a host or domain name, for every layer that compares names (the zone,
 * the resolver, MX selection, the scenario loader, mail addresses' domains): DNS names are
 * case-insensitive (RFC 4343 §3), and a trailing dot only says the name is absolute (RFC 1034 §3.1).
 * So: surrounding blanks trimmed, lower case, one trailing dot dropped; the root ("." or "") is ".".
 */
export function canonicalName(name: string): string {
  const lower = name.trim().toLowerCase();
  if (lower === '' || lower === '.') return '.';
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}
