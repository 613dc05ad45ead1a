import { ValidationFailed } from './errors.js';
import { newId } from './ids.js';
import type { Email, Scope } from './model.js';
import type { Repositories } from '../store/ports.js';

const ADDRESS = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;

/** Whether `text` looks like an address the outbox can send to. */
export const isEmailAddress = (text: string): boolean => ADDRESS.test(text);

/**
 * Puts an e-mail in the outbox, in the caller's transaction: it is sent by the outbox worker
 * (or, without SMTP_URL, logged) and never lost with a crash.
 * @throws ValidationFailed
 */
export async function queueEmail(tx: Repositories, scope: Scope, message: { to: string; subject: string; body: string }, now: string): Promise<Email> {
  if (!isEmailAddress(message.to)) throw ValidationFailed.of('to', 'must be an e-mail address');
  const email: Email = {
    id: newId('eml'),
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
  await tx.emails.insert(scope.tenantId, email);
  return email;
}
