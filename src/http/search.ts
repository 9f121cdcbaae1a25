/**
 * Mailpit's search language (https://mailpit.axllent.org/docs/usage/search-filters/), the common part:
 * words and "quoted phrases" (anywhere in the subject, the addresses or the text), `to:`, `from:`,
 * `cc:`, `subject:`, `message-id:`, `is:read`, `is:unread`, `has:attachment`; a leading `-` or `!`
 * negates a term. All terms must hold; comparisons ignore case. Other operators (`before:`, `tag:`,
 * …) are refused with the term that was not understood, rather than silently matching everything.
 */
import type { ParsedMail } from 'mailparser';
import type { MailpitListItem } from './message-view.js';

export interface SearchTerm {
  field: 'any' | 'to' | 'from' | 'cc' | 'subject' | 'message-id' | 'is' | 'has';
  value: string;
  negated: boolean;
}

const fields = new Set<SearchTerm['field']>(['to', 'from', 'cc', 'subject', 'message-id', 'is', 'has']);

/** Splits a query into terms; throws with the offending term when an operator is not supported. */
export function parseQuery(query: string): SearchTerm[] {
  const terms: SearchTerm[] = [];
  for (const match of query.matchAll(/([-!]?)(?:([a-z-]+):)?(?:"([^"]*)"|(\S+))/gi)) {
    const [, sign, rawField, quoted, bare] = match;
    const field = (rawField ?? 'any').toLowerCase();
    const value = (quoted ?? bare ?? '').toLowerCase();
    if (field !== 'any' && !fields.has(field as SearchTerm['field'])) throw new Error(`search operator ${field}: is not supported (supported: ${[...fields].join(':, ')}:)`);
    if (field === 'is' && value !== 'read' && value !== 'unread') throw new Error(`is:${value} is not supported (is:read, is:unread)`);
    if (field === 'has' && value !== 'attachment' && value !== 'attachments') throw new Error(`has:${value} is not supported (has:attachment)`);
    terms.push({ field: field as SearchTerm['field'], value, negated: sign !== '' });
  }
  return terms;
}

function addressText(addresses: ReadonlyArray<{ Name: string; Address: string }>): string {
  return addresses.map((a) => `${a.Name} <${a.Address}>`).join(', ').toLowerCase();
}

function holds(term: SearchTerm, item: MailpitListItem, mail: ParsedMail): boolean {
  switch (term.field) {
    case 'to':
      return addressText([...item.To, ...item.Cc, ...item.Bcc]).includes(term.value);
    case 'from':
      return addressText([item.From]).includes(term.value);
    case 'cc':
      return addressText(item.Cc).includes(term.value);
    case 'subject':
      return item.Subject.toLowerCase().includes(term.value);
    case 'message-id':
      return item.MessageID.toLowerCase() === term.value.replace(/^<|>$/g, '');
    case 'is':
      return term.value === 'read' ? item.Read : !item.Read;
    case 'has':
      return item.Attachments > 0;
    default:
      return [item.Subject, addressText([item.From, ...item.To, ...item.Cc]), mail.text ?? '', typeof mail.html === 'string' ? mail.html : ''].some((text) => text.toLowerCase().includes(term.value));
  }
}

/** Whether the message matches every term. */
export function matches(terms: readonly SearchTerm[], item: MailpitListItem, mail: ParsedMail): boolean {
  return terms.every((term) => holds(term, item, mail) !== term.negated);
}
