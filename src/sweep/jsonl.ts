/**
 * JSON lines, read as a stream (a sweep's tables can be far larger than memory should hold): each
 * complete line with the byte offset after it. A last line without its newline is a write cut short
 * (a crash, a killed job) and is not yielded; resume truncates the file before it.
 */
import { createReadStream, existsSync } from 'node:fs';

export interface JsonLine<T> {
  value: T;
  /** The line as written, without its newline. */
  text: string;
  /** Byte offset just after this line's newline. */
  end: number;
}

export async function* readJsonLines<T>(path: string): AsyncGenerator<JsonLine<T>> {
  if (!existsSync(path)) return;
  let carry = '';
  let offset = 0;
  for await (const chunk of createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
    const text = carry + (chunk as string);
    let start = 0;
    for (let newline = text.indexOf('\n'); newline !== -1; newline = text.indexOf('\n', start)) {
      const line = text.slice(start, newline);
      offset += Buffer.byteLength(line) + 1;
      start = newline + 1;
      if (line.trim() !== '') yield { value: JSON.parse(line) as T, text: line, end: offset };
    }
    carry = text.slice(start);
  }
}
