/**
 * AUTH (RFC 4954): the SASL mechanisms offered (§3), and MAIL FROM AUTH= (§5), kept as given. The
 * client reads the pre-standard "AUTH=PLAIN LOGIN" line too (client-capabilities.ts splits it).
 */
import { badValue } from '../parameters.js';
import { isXtext } from '../xtext.js';
import type { SmtpExtension } from './extension.js';

export const auth: SmtpExtension = {
  keyword: 'AUTH',
  advertise: (offer) => (offer.authOffered ? `AUTH ${offer.extensions.auth.join(' ')}` : null),
  read(capabilities, params) {
    for (const mechanism of params) {
      const upper = mechanism.toUpperCase();
      if (!capabilities.authMechanisms.includes(upper)) capabilities.authMechanisms.push(upper);
    }
  },
  mailParameters: {
    AUTH: {
      offered: (context) => context.extensions.auth.length > 0,
      read(value, mail) {
        // AUTH=<> or an xtext mailbox.
        if (value === null || (value !== '<>' && !isXtext(value))) return badValue('AUTH');
        mail.auth = value;
        return null;
      },
    },
  },
};
