/**
 * SIZE (RFC 1870): the server states its fixed limit (§4), the client declares the message size with
 * MAIL FROM SIZE= (§6), and the server refuses an over-limit declaration at MAIL (§6.1, in server.ts).
 */
import { badValue } from '../parameters.js';
import type { SmtpExtension } from './extension.js';

export const size: SmtpExtension = {
  keyword: 'SIZE',
  advertise: (offer) => (offer.extensions.size ? `SIZE ${offer.messageBytesMax}` : null),
  read(capabilities, params) {
    capabilities.size = true;
    // No (or a zero) parameter: no fixed limit.
    const limit = params[0] !== undefined && /^\d+$/.test(params[0]) ? Number(params[0]) : 0;
    capabilities.sizeMaxBytes = limit > 0 && Number.isSafeInteger(limit) ? limit : null;
  },
  mailParameters: {
    SIZE: {
      offered: (context) => context.extensions.size,
      read(value, mail) {
        // RFC 1870 §3: size-value = 1*20DIGIT.
        if (value === null || !/^\d{1,20}$/.test(value)) return badValue('SIZE');
        mail.declaredSize = Number(value);
        return null;
      },
    },
  },
  mailArguments: (input, capabilities) => (capabilities.size ? ` SIZE=${input.sizeBytes}` : ''),
};
