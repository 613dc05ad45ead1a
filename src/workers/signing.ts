import { createHmac } from 'node:crypto';

/**
 * Standard Webhooks v1 signature: HMAC-SHA256 over `id.timestamp.body` with the secret's
 * base64-decoded bytes, serialised `v1,<base64>`.
 */
export function signWebhook(secret: string, messageId: string, timestampSeconds: number, body: string): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const signature = createHmac('sha256', key).update(`${messageId}.${timestampSeconds}.${body}`).digest('base64');
  return `v1,${signature}`;
}
