/**
 * DSN (RFC 3461): MAIL FROM RET= (§4.3) and ENVID= (§4.4), RCPT TO NOTIFY= (§4.1) and ORCPT= (§4.2).
 * Values that came from another server are already xtext and go on unchanged (toXtext).
 */
import { badValue } from '../parameters.js';
import { isXtext } from '../xtext.js';
import { toXtext } from '../xtext.js';
import type { SmtpExtension } from './extension.js';

const notifyValues = new Set(['SUCCESS', 'FAILURE', 'DELAY']);
/** RFC 3461 §4.4: an ENVID is at most 100 characters; §4.2: an ORCPT address at most 500. */
const envidCharsMax = 100;
const orcptAddressCharsMax = 500;

export const dsn: SmtpExtension = {
  keyword: 'DSN',
  advertise: (offer) => (offer.extensions.dsn ? 'DSN' : null),
  read(capabilities) {
    capabilities.dsn = true;
  },
  mailParameters: {
    RET: {
      offered: (context) => context.extensions.dsn,
      read(value, mail) {
        const ret = value?.toUpperCase();
        if (ret !== 'FULL' && ret !== 'HDRS') return badValue('RET');
        mail.dsn.ret = ret;
        return null;
      },
    },
    ENVID: {
      offered: (context) => context.extensions.dsn,
      read(value, mail) {
        if (value === null || value.length > envidCharsMax || !isXtext(value)) return badValue('ENVID');
        mail.dsn.envid = value;
        return null;
      },
    },
  },
  rcptParameters: {
    NOTIFY: {
      offered: (context) => context.extensions.dsn,
      read(value, rcpt) {
        // "NEVER" alone, or a comma list of SUCCESS, FAILURE, DELAY.
        if (value === null) return badValue('NOTIFY');
        const items = value.toUpperCase().split(',');
        if (items.length === 1 && items[0] === 'NEVER') {
          rcpt.dsn.notify = ['NEVER'];
          return null;
        }
        if (new Set(items).size !== items.length || !items.every((item) => notifyValues.has(item))) return badValue('NOTIFY');
        rcpt.dsn.notify = items as Array<'SUCCESS' | 'FAILURE' | 'DELAY'>;
        return null;
      },
    },
    ORCPT: {
      offered: (context) => context.extensions.dsn,
      read(value, rcpt) {
        // addr-type ";" xtext.
        const semicolon = value?.indexOf(';') ?? -1;
        if (value === null || semicolon <= 0) return badValue('ORCPT');
        const addrType = value.slice(0, semicolon);
        const address = value.slice(semicolon + 1);
        if (!/^[A-Za-z0-9][A-Za-z0-9-]*$/.test(addrType) || address === '' || address.length > orcptAddressCharsMax || !isXtext(address)) return badValue('ORCPT');
        rcpt.dsn.orcpt = value;
        return null;
      },
    },
  },
  mailArguments(input, capabilities) {
    if (!capabilities.dsn) return '';
    return `${input.ret !== null ? ` RET=${input.ret}` : ''}${input.envid !== null ? ` ENVID=${toXtext(input.envid)}` : ''}`;
  },
  rcptArguments(recipient, capabilities) {
    if (!capabilities.dsn) return '';
    let out = '';
    if (recipient.dsn.notify !== null && recipient.dsn.notify.length > 0) out += ` NOTIFY=${recipient.dsn.notify.join(',')}`;
    if (recipient.dsn.orcpt !== null) {
      const semicolonAt = recipient.dsn.orcpt.indexOf(';');
      const addressType = semicolonAt === -1 ? 'rfc822' : recipient.dsn.orcpt.slice(0, semicolonAt);
      const original = semicolonAt === -1 ? recipient.dsn.orcpt : recipient.dsn.orcpt.slice(semicolonAt + 1);
      out += ` ORCPT=${toXtext(addressType)};${toXtext(original)}`;
    }
    return out;
  },
};
