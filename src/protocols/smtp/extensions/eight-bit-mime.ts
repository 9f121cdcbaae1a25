/** 8BITMIME (RFC 6152): MAIL FROM BODY=7BIT | 8BITMIME. BINARYMIME (RFC 3030 §3) is not offered. */
import { badValue } from '../parameters.js';
import type { SmtpExtension } from './extension.js';

export const eightBitMime: SmtpExtension = {
  keyword: '8BITMIME',
  advertise: (offer) => (offer.extensions.eightBitMime ? '8BITMIME' : null),
  read(capabilities) {
    capabilities.eightBitMime = true;
  },
  mailParameters: {
    BODY: {
      offered: (context) => context.extensions.eightBitMime,
      read(value, mail) {
        const body = value?.toUpperCase();
        // BINARYMIME is not offered, so it is an unknown value (RFC 6152 §3: 501).
        if (body !== '7BIT' && body !== '8BITMIME') return badValue('BODY');
        mail.body = body;
        return null;
      },
    },
  },
  mailArguments(input, capabilities) {
    if (!capabilities.eightBitMime) return '';
    // BINARYMIME needs BDAT (RFC 3030); over DATA the best honest label is 8BITMIME.
    if (input.eightBit || input.body === '8BITMIME' || input.body === 'BINARYMIME') return ' BODY=8BITMIME';
    return input.body === '7BIT' ? ' BODY=7BIT' : '';
  },
};
