import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

// A real SMTP server on 127.0.0.1 (smtp-server) that keeps every message it receives: the
// e-mail tests of the outbox and of the org surface's low-balance notifications.

export interface ReceivedMail {
  envelopeTo: string[];
  raw: string;
  headers: Map<string, string>;
  /** The Subject header, RFC 2047 encoded words decoded. */
  subject: string;
}

/** The header block of a raw RFC 5322 message, unfolded, lower-cased names. */
function parseHeaders(raw: string): Map<string, string> {
  const block = raw.split(/\r?\n\r?\n/, 1)[0]!.replace(/\r?\n[ \t]+/g, ' ');
  const headers = new Map<string, string>();
  for (const line of block.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return headers;
}

/** RFC 2047 encoded words (=?UTF-8?Q?…?= and =?UTF-8?B?…?=) as text. */
function decodeWords(header: string): string {
  return header
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?UTF-8\?([QB])\?([^?]*)\?=/gi, (_, encoding: string, text: string) =>
      encoding.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64').toString('utf8')
        : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1').toString('utf8'),
    );
}

export class SmtpSink {
  readonly mails: ReceivedMail[] = [];
  private readonly server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData: (stream, session, callback) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const headers = parseHeaders(raw);
        this.mails.push({ envelopeTo: session.envelope.rcptTo.map((r) => r.address), raw, headers, subject: decodeWords(headers.get('subject') ?? '') });
        callback();
      });
    },
  });
  port = 0;

  async listen(port = 0): Promise<this> {
    this.server.listen(port, '127.0.0.1');
    await once(this.server.server, 'listening');
    this.port = (this.server.server.address() as AddressInfo).port;
    return this;
  }

  /** SMTP_URL for a server that sends here. */
  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  /** The mail whose Message-ID names the outbox e-mail `emailId`. */
  mailFor(emailId: string): ReceivedMail | undefined {
    return this.mails.find((m) => m.headers.get('message-id')?.includes(emailId));
  }

  /** The mails sent to `address`. */
  to(address: string): ReceivedMail[] {
    return this.mails.filter((m) => m.envelopeTo.includes(address));
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
