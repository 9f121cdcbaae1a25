/** CHUNKING (RFC 3030): BDAT instead of DATA. The command is in server.ts; the client sends DATA. */
import type { SmtpExtension } from './extension.js';

export const chunking: SmtpExtension = {
  keyword: 'CHUNKING',
  advertise: (offer) => (offer.extensions.chunking ? 'CHUNKING' : null),
  read(capabilities) {
    capabilities.chunking = true;
  },
};
