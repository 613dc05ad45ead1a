import nodemailer from 'nodemailer';
import type { Logger } from 'pino';
import type { Email } from '../ledger/emails.js';

export interface Mailer {
  /** 'sent' over SMTP, or 'logged' when no SMTP server is configured. @throws when SMTP refuses */
  send(email: Email): Promise<'sent' | 'logged'>;
  close(): void;
}

/** nodemailer over SMTP_URL; without it each mail is written to the log (and stays in the outbox). */
export function createMailer(smtpUrl: string | undefined, from: string, log: Pick<Logger, 'info'>): Mailer {
  if (!smtpUrl) {
    return {
      async send(email) {
        log.info({ email: { id: email.id, to: email.to, subject: email.subject, body: email.body } }, 'e-mail logged (no SMTP_URL configured)');
        return 'logged';
      },
      close() {},
    };
  }
  const transport = nodemailer.createTransport(smtpUrl);
  return {
    async send(email) {
      await transport.sendMail({ from, to: email.to, subject: email.subject, text: email.body, messageId: `<${email.id}@subledger>` });
      return 'sent';
    },
    close() {
      transport.close();
    },
  };
}
