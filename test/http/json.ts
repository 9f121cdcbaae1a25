/** The HTTP tests' view of a JSON answer: any shape, checked field by field by the test itself. */
// biome-ignore lint/suspicious/noExplicitAny: a test reads whatever fields it asserts on
export type Json = any;

export const asJson = (value: unknown): Json => value;
