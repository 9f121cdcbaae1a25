/** STARTTLS (RFC 3207): not offered again once TLS is on (§4.2). The command itself is in server.ts. */
import type { SmtpExtension } from './extension.js';

export const startTls: SmtpExtension = {
  keyword: 'STARTTLS',
  advertise: (offer) => (offer.extensions.startTls && !offer.tls ? 'STARTTLS' : null),
  read(capabilities) {
    capabilities.startTls = true;
  },
};
