/**
 * The stages of an SMTP session, as scripted faults name them (docs/reference.md §6 `reply`, `drop`,
 * `corrupt`): the greeting (`connect`), EHLO/HELO, MAIL, RCPT, DATA (the 354) and the final "."
 * (`dot`, RFC 5321 §4.1.1.4).
 */
export type SmtpStage = 'connect' | 'ehlo' | 'mail' | 'rcpt' | 'data' | 'dot';
export const smtpStageNames: readonly SmtpStage[] = ['connect', 'ehlo', 'mail', 'rcpt', 'data', 'dot'];
