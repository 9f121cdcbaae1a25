/**
 * `mailsim check` reports every problem of a file in one pass (docs/reference.md §10): shape errors no
 * longer hide the semantic ones (unknown hosts, unknown senders) of the parts they leave alone, and
 * what is reported about those parts is located where it is in the file — without false alarms caused
 * by the parts that had to be set aside (src/scenario/repair.ts).
 */
import { describe, expect, it } from 'vitest';
import { analyseScenarioText } from '../../src/scenario/load.js';

const lines = (text: string) => analyseScenarioText(text, 'f.yaml').errors.map((e) => `${e.line}:${e.column} ${e.path}: ${e.message}`);

const mixed = `name: mixed problems
seed: -3
hosts:
  mx1.example.org: { roles: [mta, bogus], domains: [example.org] }
  mx2.example.org: { roles: [mta], colour: red }
faults:
  - { at: 0s, down: mx9.example.org }
  - { at: 1x, down: mx1.example.org }
  - { at: 2s, down: mx6.example.org }
traffic:
  - { at: 1m, send: { from: alice@nowhere.net, to: bob@example.org, via: mx7.example.org } }
expect:
  - { delivered: bob@example.org, via: mx8.example.org }
`;

describe('check: every problem in one pass', () => {
  it('shape errors and the semantic errors of the untouched parts, each at its place', () => {
    const found = lines(mixed);
    expect(found).toEqual([
      expect.stringMatching(/^2:7 seed: expected a whole number/),
      expect.stringMatching(/^4:35 hosts\.mx1\.example\.org\.roles\[1\]: expected a role/),
      expect.stringMatching(/^5:36 hosts\.mx2\.example\.org\.colour: unknown key "colour"/),
      expect.stringMatching(/^7:21 faults\[0\]\.down: the host mx9\.example\.org is not defined in hosts/),
      expect.stringMatching(/^8:11 faults\[1\]\.at: unknown time unit "x"/),
      // The broken faults[1] was set aside: faults[2] keeps its own index and line.
      expect.stringMatching(/^9:21 faults\[2\]\.down: the host mx6\.example\.org is not defined in hosts/),
      expect.stringMatching(/^11:29 traffic\[0\]\.send\.from: no host knows the user alice@nowhere\.net/),
      expect.stringMatching(/^11:74 traffic\[0\]\.send\.via: the submission host mx7\.example\.org is not defined/),
      expect.stringMatching(/^13:40 expect\[0\]\.via: the host mx8\.example\.org is not defined/),
    ]);
  });

  it('no false alarm from a part set aside: a host whose users are malformed does not make its users unknown', () => {
    const text = `name: x
hosts:
  smtp.sender.net: { roles: [msa, mta], domains: [sender.net], users: { alice: [not, a, password] } }
traffic:
  - { at: 1m, send: { from: alice@sender.net, to: bob@example.org } }
faults:
  - { at: 0s, down: smtp.sender.nett }
`;
    const found = lines(text);
    expect(found.some((l) => l.includes('users.alice'))).toBe(true);
    expect(found.some((l) => /no host knows the user alice/.test(l))).toBe(false);
    // …while a problem about another part is still found (its suggestion names the repaired host).
    expect(found).toContainEqual(expect.stringMatching(/faults\[0\]\.down: the host smtp\.sender\.nett is not defined in hosts \(did you mean smtp\.sender\.net\?\)/));
  });

  it('a document whose shape leaves nothing to check against reports the shape errors alone', () => {
    expect(lines('name: x\nhosts: [a, b]\nfaults:\n  - { at: 0s, down: nowhere.example }\n')).toEqual([expect.stringMatching(/hosts: expected a mapping/)]);
  });
});
