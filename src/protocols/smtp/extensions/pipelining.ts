/** PIPELINING (RFC 2920): the client may send MAIL, the RCPTs and DATA in one write. */
import type { SmtpExtension } from './extension.js';

export const pipelining: SmtpExtension = {
  keyword: 'PIPELINING',
  advertise: (offer) => (offer.extensions.pipelining ? 'PIPELINING' : null),
  read(capabilities) {
    capabilities.pipelining = true;
  },
};
