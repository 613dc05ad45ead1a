import { ValidationFailed } from './errors.js';
import { newId } from './ids.js';
import type { Mode, Scope } from './model.js';

const ADDRESS = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;

/** Whether `text` looks like an address the outbox can send to. */
export const isEmailAddress = (text: string): boolean => ADDRESS.test(text);

/** `logged`: no SMTP_URL is configured, so the mail was written to the log (and kept here). */
export type EmailStatus = 'pending' | 'sent' | 'logged' | 'failed';

export interface Email {
  id: string;
  mode: Mode;
  to: string;
  subject: string;
  body: string;
  status: EmailStatus;
  attempts: number;
  lastError: string | null;
  createdAt: string;
  sentAt: string | null;
}

/** An e-mail a command sends: it goes to the outbox in the command's transaction. */
export interface EmailMessage {
  to: string;
  subject: string;
  body: string;
}

/**
 * The outbox's e-mail for `message`: sent by the outbox worker (or, without SMTP_URL, logged),
 * never lost with a crash, because it is written in the transaction of the change that sends it.
 * @throws ValidationFailed
 */
export function newEmail(scope: Scope, message: EmailMessage, now: string): Email {
  if (!isEmailAddress(message.to)) throw ValidationFailed.of('to', 'must be an e-mail address');
  return {
    id: newId('eml', now),
    mode: scope.mode,
    to: message.to,
    subject: message.subject,
    body: message.body,
    status: 'pending',
    attempts: 0,
    lastError: null,
    createdAt: now,
    sentAt: null,
  };
}
