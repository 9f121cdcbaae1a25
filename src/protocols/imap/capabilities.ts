/**
 * The CAPABILITY list (RFC 3501 §6.1.1, §7.2.1): exactly what the server implements, by state.
 *
 *   IMAP4rev1                RFC 3501
 *   STARTTLS                 §6.2.1, only before TLS and before authentication
 *   LOGINDISABLED            §6.2.3, before TLS when the owner requires TLS for LOGIN
 *   AUTH=PLAIN               RFC 4616 over AUTHENTICATE (§6.2.2), unless LOGINDISABLED, before login
 *   LITERAL+                 RFC 7888 non-synchronising literals
 *   UIDPLUS                  RFC 4315 APPENDUID, COPYUID, UID EXPUNGE
 *   MOVE                     RFC 6851
 *   IDLE                     RFC 2177
 *   NAMESPACE                RFC 2342
 *   ENABLE                   RFC 5161 (nothing can be enabled; ENABLED lists nothing)
 *   UNSELECT                 RFC 3691
 */
export const EXTENSION_CAPABILITIES = ['LITERAL+', 'UIDPLUS', 'MOVE', 'IDLE', 'NAMESPACE', 'ENABLE', 'UNSELECT'] as const;

export interface CapabilityState {
  authenticated: boolean;
  tlsActive: boolean;
  startTlsAvailable: boolean;
  loginDisabled: boolean;
}

export function capabilities(state: CapabilityState): string[] {
  const list = ['IMAP4rev1'];
  if (!state.authenticated) {
    if (state.startTlsAvailable && !state.tlsActive) list.push('STARTTLS');
    if (state.loginDisabled) list.push('LOGINDISABLED');
    else list.push('AUTH=PLAIN');
  }
  list.push(...EXTENSION_CAPABILITIES);
  return list;
}
