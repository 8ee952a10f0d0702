import net from 'node:net';

export interface ReceivedMail {
  from: string;
  to: string[];
  /** The message as transmitted (headers and body, dot-stuffing undone). */
  data: string;
}

/**
 * A few lines of SMTP (RFC 5321) for unit tests, no package needed: greets, accepts EHLO/HELO,
 * MAIL, RCPT (answering each recipient what `rcpt` says: `250 …`, `550 …`, `451 …`), DATA, RSET,
 * NOOP, QUIT, and keeps what it received. No TLS, no AUTH: it is not advertised, so nodemailer
 * does not try. Connections it took are counted (a pooled transport reuses a few).
 */
export class FakeSmtpServer {
  readonly received: ReceivedMail[] = [];
  connections = 0;
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();

  constructor(private readonly rcpt: (address: string) => string = () => '250 2.1.5 OK') {
    this.server = net.createServer((socket) => this.session(socket));
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `smtp://127.0.0.1:${(this.server.address() as net.AddressInfo).port}`;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private session(socket: net.Socket): void {
    this.connections++;
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
    let buffer = '';
    let inData = false;
    let mail: ReceivedMail = { from: '', to: [], data: '' };
    let dataLines: string[] = [];
    const reply = (line: string) => socket.write(`${line}\r\n`);
    reply('220 fake.smtp ESMTP');
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      for (let end = buffer.indexOf('\r\n'); end >= 0; end = buffer.indexOf('\r\n')) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (inData) {
          if (line === '.') {
            inData = false;
            this.received.push({ ...mail, data: dataLines.join('\r\n') });
            mail = { from: '', to: [], data: '' };
            dataLines = [];
            reply('250 2.0.0 queued');
          } else dataLines.push(line.startsWith('..') ? line.slice(1) : line);
          continue;
        }
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO' || verb === 'HELO') reply('250 fake.smtp');
        else if (verb === 'MAIL') {
          mail = { from: /<([^>]*)>/.exec(line)?.[1] ?? '', to: [], data: '' };
          reply('250 2.1.0 OK');
        } else if (verb === 'RCPT') {
          const address = /<([^>]*)>/.exec(line)?.[1] ?? '';
          const answer = this.rcpt(address);
          if (answer.startsWith('2')) mail.to.push(address);
          reply(answer);
        } else if (verb === 'DATA') {
          inData = true;
          reply('354 go ahead');
        } else if (verb === 'QUIT') {
          reply('221 bye');
          socket.end();
        } else reply('250 OK'); // RSET, NOOP
      }
    });
  }
}
