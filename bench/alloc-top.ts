/**
 * Reads a sampling heap profile (bench/alloc-child.ts, or DevTools' "allocation sampling") and prints
 * the allocation sites with the most bytes, per message of the world: self (allocated in the function
 * itself) and inclusive (in it and what it called). `npx tsx bench/alloc-top.ts FILE.heapprofile N [rows]`.
 */
import { readFileSync } from 'node:fs';

interface HeapNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: HeapNode[];
}

const label = (node: HeapNode) => `${node.callFrame.functionName || '(anonymous)'} ${node.callFrame.url.replace(/^.*\/(src|bench|node_modules)\//, '$1/')}:${node.callFrame.lineNumber + 1}`;

export function topAllocations(profile: { head: HeapNode }, messages: number, rows: number): string {
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  // Returns the bytes under `node`; `open` holds the labels on the path, so recursion counts once.
  const walk = (node: HeapNode, open: Set<string>): number => {
    const name = label(node);
    self.set(name, (self.get(name) ?? 0) + node.selfSize);
    total += node.selfSize;
    const outer = open.has(name);
    if (!outer) open.add(name);
    let bytes = node.selfSize;
    for (const child of node.children) bytes += walk(child, open);
    if (!outer) {
      open.delete(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + bytes);
    }
    return bytes;
  };
  walk(profile.head, new Set());
  const perMessage = (bytes: number) => `${(bytes / messages / 1024).toFixed(2).padStart(7)} KiB`;
  const list = (sites: Map<string, number>) =>
    [...sites.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, rows)
      .map(([name, bytes]) => `  ${perMessage(bytes)}  ${name}`)
      .join('\n');
  return `sampled allocation: ${perMessage(total)} per message\nself:\n${list(self)}\ninclusive:\n${list(inclusive)}`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [file, messages, rows] = process.argv.slice(2);
  if (file === undefined || messages === undefined) throw new Error('usage: tsx bench/alloc-top.ts FILE.heapprofile MESSAGES [rows]');
  console.log(topAllocations(JSON.parse(readFileSync(file, 'utf8')) as { head: HeapNode }, Number(messages), Number(rows ?? 30)));
}
