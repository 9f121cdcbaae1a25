/**
 * SMTPUTF8 (RFC 6531): MAIL FROM SMTPUTF8 (no value, §3.4) lets the paths and headers carry UTF-8.
 * The server judges the path with it in mind (command.ts peeks at the parameter first).
 */
import { badValue } from '../parameters.js';
import type { SmtpExtension } from './extension.js';

export const smtpUtf8: SmtpExtension = {
  keyword: 'SMTPUTF8',
  advertise: (offer) => (offer.extensions.smtpUtf8 ? 'SMTPUTF8' : null),
  read(capabilities) {
    capabilities.smtpUtf8 = true;
  },
  mailParameters: {
    SMTPUTF8: {
      offered: (context) => context.extensions.smtpUtf8,
      read(value, mail) {
        if (value !== null) return badValue('SMTPUTF8');
        mail.smtpUtf8 = true;
        return null;
      },
    },
  },
  mailArguments: (input, capabilities) => (input.smtpUtf8 && capabilities.smtpUtf8 ? ' SMTPUTF8' : ''),
};
