/**
 * The MUA keeps the client options of each `send` item with the server config they were made for
 * (src/nodes/mua.ts `clientOptionsFor`, issue 21), instead of making them per message. For any
 * sequence of (item, server) submissions — items on 25, 465 and 587, senders with and without an
 * account or password on the server, servers with and without TLS, a server config swapped between
 * submissions — the kept options must equal the ones `clientOptions` makes anew.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { HostConfig, SendSpec, UserConfig } from '../../../src/nodes/config.js';
import { Mua, type MuaWorld } from '../../../src/nodes/mua.js';
import { RandomStreams } from '../../../src/sim/index.js';

const user = (name: string, password: string | null): UserConfig => ({ name, password, filters: [], quotaBytes: null, addresses: [`${name}@sender.net`] });

/** Only what clientOptions reads of a server's config: `tls` and `users`. */
const vias: Array<HostConfig | undefined> = [
  { tls: true, users: [user('alice', 'secret')] } as unknown as HostConfig,
  { tls: false, users: [user('Alice', 'other'), user('bob', null)] } as unknown as HostConfig,
  { tls: true, users: [] } as unknown as HostConfig,
  undefined,
];

const spec = (from: string, port: 25 | 465 | 587): SendSpec => ({
  from,
  to: ['x@example.org'],
  subject: null,
  body: 'b',
  sizeBytes: null,
  headers: [],
  via: null,
  port,
  count: 1,
  everyMs: 0,
  notify: null,
  requireTls: false,
});
const specs = [spec('alice@sender.net', 587), spec('alice@sender.net', 465), spec('bob@sender.net', 587), spec('carol@sender.net', 25), spec('alice@sender.net', 25)];

describe('the MUA’s client options per send item', () => {
  it('equal the options made anew, for any sequence of items and servers', () => {
    const world = { sim: { rng: new RandomStreams(1) } } as unknown as MuaWorld;
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(specs.length - 1), fc.nat(vias.length - 1)), { minLength: 1, maxLength: 30 }), (steps) => {
        const mua = new Mua(world);
        for (const [s, v] of steps) expect(mua.clientOptionsFor(specs[s]!, vias[v])).toEqual(mua.clientOptions(specs[s]!, vias[v]));
      }),
    );
  });
});
