/**
 * Terminal output for the CLI: colour only on a TTY and never with NO_COLOR (https://no-color.org),
 * and durations a person reads at a glance.
 */
export function useColour(stream: NodeJS.WriteStream): boolean {
  return stream.isTTY === true && process.env.NO_COLOR === undefined && process.env.TERM !== 'dumb';
}

export function paint(stream: NodeJS.WriteStream) {
  const on = useColour(stream);
  const wrap = (code: number) => (text: string) => (on ? `\u001b[${code}m${text}\u001b[0m` : text);
  return { green: wrap(32), red: wrap(31), yellow: wrap(33), dim: wrap(2), bold: wrap(1) };
}
