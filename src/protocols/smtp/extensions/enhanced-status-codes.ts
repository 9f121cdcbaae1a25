/** ENHANCEDSTATUSCODES (RFC 2034): replies after EHLO carry an RFC 3463 code after the reply code. */
import type { SmtpExtension } from './extension.js';

export const enhancedStatusCodes: SmtpExtension = {
  keyword: 'ENHANCEDSTATUSCODES',
  advertise: (offer) => (offer.extensions.enhancedStatusCodes ? 'ENHANCEDSTATUSCODES' : null),
  read(capabilities) {
    capabilities.enhancedStatusCodes = true;
  },
};
