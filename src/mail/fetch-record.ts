/**
 * What one `fetch` of the traffic got (docs/reference.md §7 `fetch`, §9.1 `fetches[]`): the MUA's reader
 * (src/nodes/mua-fetch.ts) makes it, the report lists it as it is and the `fetched` expectation reads it.
 */
export interface FetchRecord {
  atMs: number;
  user: string;
  protocol: 'pop3' | 'imap';
  ok: boolean;
  messages: Array<{ messageId: string | null; subject: string | null }>;
  /** Why it failed, when it did. */
  error: string | null;
}
