/**
 * bench/alloc-top.ts: bytes per message by allocation site, self and inclusive, with a function that
 * appears twice on one path (recursion) counted once in its inclusive figure.
 */
import { describe, expect, it } from 'vitest';
import { topAllocations } from '../../bench/alloc-top.js';

const frame = (functionName: string) => ({ functionName, url: `file:///repo/src/${functionName}.js`, lineNumber: 0 });

describe('topAllocations', () => {
  it('adds self and inclusive bytes per message, recursion once', () => {
    const profile = {
      head: {
        callFrame: frame('root'),
        selfSize: 0,
        children: [
          {
            callFrame: frame('walk'),
            selfSize: 1024,
            children: [{ callFrame: frame('walk'), selfSize: 2048, children: [{ callFrame: frame('leaf'), selfSize: 4096, children: [] }] }],
          },
        ],
      },
    };
    const text = topAllocations(profile, 2, 10);
    // 7 KiB over 2 messages.
    expect(text).toContain('sampled allocation:    3.50 KiB per message');
    const self = text.slice(text.indexOf('self:'), text.indexOf('inclusive:'));
    expect(self).toMatch(/2\.00 KiB {2}leaf src\/leaf\.js:1/);
    expect(self).toMatch(/1\.50 KiB {2}walk src\/walk\.js:1/);
    const inclusive = text.slice(text.indexOf('inclusive:'));
    expect(inclusive).toMatch(/3\.50 KiB {2}walk src\/walk\.js:1/);
  });
});
