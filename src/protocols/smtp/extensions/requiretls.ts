/**
 * REQUIRETLS (RFC 8689): the sender asks that every hop of the message be protected by TLS. The
 * server offers the keyword only on a TLS session (as Exim does: it is a promise about the onward
 * hops, made over a protected one) and only when configured (`hosts.*.requiretls`); MAIL FROM
 * REQUIRETLS takes no value (§2). A message taken with it is relayed only over TLS to a server that
 * offers REQUIRETLS too; where none does, it is returned with 5.7.30 (RFC 8689 §5, the client's
 * check in client.ts and the queue's bounce).
 */
import { badValue } from '../parameters.js';
import type { SmtpExtension } from './extension.js';

export const requireTls: SmtpExtension = {
  keyword: 'REQUIRETLS',
  advertise: (offer) => (offer.extensions.requireTls && offer.tls ? 'REQUIRETLS' : null),
  read(capabilities) {
    capabilities.requireTls = true;
  },
  mailParameters: {
    REQUIRETLS: {
      offered: (context) => context.extensions.requireTls && context.tls,
      read(value, mail) {
        if (value !== null) return badValue('REQUIRETLS');
        mail.requireTls = true;
        return null;
      },
    },
  },
  mailArguments: (input, capabilities) => (input.requireTls && capabilities.requireTls ? ' REQUIRETLS' : ''),
};
