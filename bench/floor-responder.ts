/**
 * The least an SMTP server in Node can do per message: the bench's yardstick for `mailsim serve`
 * (section 6). It answers smtp-source's dialogue with canned replies — 220, EHLO/HELO, 250 to MAIL and
 * RCPT, 354, 250 after the final dot, 221 — finds line ends and the final dot with `indexOf`, and
 * keeps nothing: no parsing, no queue, no mailbox, no checks. It is not a mail server; it measures
 * what node:net itself costs on this machine under the same load (accept, one read and one write per
 * round trip, close), so the bench can say how far above that floor serve is, and whether a target
 * set against Postfix's smtp-sink (C) is within Node's reach at all.
 *
 * Prints `LISTEN smtp 127.0.0.1:PORT` when ready (as serve does); exits on SIGTERM.
 */
import { createServer, type Socket } from 'node:net';

const finalDot = '\r\n.\r\n';

/** One connection: what it has read but not answered yet, and whether it is inside DATA. */
function serveConnection(socket: Socket): void {
  socket.on('error', () => {});
  let pending = '';
  let inData = false;
  socket.write('220 floor ESMTP\r\n');
  socket.on('data', (chunk: Buffer) => {
    pending += chunk.toString('latin1');
    let out = '';
    for (;;) {
      if (inData) {
        const end = pending.indexOf(finalDot);
        if (end < 0) {
          pending = pending.slice(-(finalDot.length - 1)); // a final dot split across reads
          break;
        }
        pending = pending.slice(end + finalDot.length);
        inData = false;
        out += '250 2.0.0 Ok: queued\r\n';
        continue;
      }
      const lineEnd = pending.indexOf('\r\n');
      if (lineEnd < 0) break;
      const verb = pending.slice(0, 4).toUpperCase();
      pending = pending.slice(lineEnd + 2);
      if (verb === 'EHLO') out += '250-floor\r\n250 PIPELINING\r\n';
      else if (verb === 'DATA') {
        out += '354 End data with <CR><LF>.<CR><LF>\r\n';
        inData = true;
        pending = `\r\n${pending}`; // the final dot of an empty body follows DATA's own line end
      } else if (verb === 'QUIT') {
        socket.end(`${out}221 2.0.0 Bye\r\n`);
        return;
      } else out += '250 2.1.0 Ok\r\n';
    }
    if (out !== '') socket.write(out);
  });
}

const server = createServer({ noDelay: true }, serveConnection);
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address !== null && typeof address === 'object') console.log(`LISTEN smtp 127.0.0.1:${address.port}`);
});
process.on('SIGTERM', () => process.exit(0));
