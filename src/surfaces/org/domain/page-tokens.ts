import { createHmac, timingSafeEqual } from 'node:crypto';
import { ValidationFailed } from '../../../ledger/errors.js';

/**
 * Opaque, tamper-evident page tokens (BidZenith: "an opaque string whose format can and will
 * change"): the position (the last id of the page before) in base64url, then an HMAC-SHA256 over
 * the list it belongs to and the position. `list` names tenant, mode, the listing and its
 * filters, so a token works only for the list that issued it; a token that is changed, made up,
 * or taken to another list or tenant fails. The key is shared by every process of one database.
 */
export class PageTokens {
  constructor(private readonly secret: Buffer) {}

  private mac(list: string, position: string): Buffer {
    return createHmac('sha256', this.secret).update(`v1\n${list}\n${position}`).digest();
  }

  issue(list: string, position: string): string {
    return `${Buffer.from(position).toString('base64url')}.${this.mac(list, position).toString('base64url')}`;
  }

  /** The position in `token`. @throws ValidationFailed (field `pageToken`) */
  open(list: string, token: string): string {
    const invalid = ValidationFailed.of('pageToken', 'is not a page token of this list: pass the nextPageToken of the previous page, with the same filters');
    const [encoded, signature, ...rest] = token.split('.');
    if (!encoded || !signature || rest.length > 0 || !/^[A-Za-z0-9_-]+$/.test(encoded) || !/^[A-Za-z0-9_-]+$/.test(signature)) throw invalid;
    const position = Buffer.from(encoded, 'base64url').toString();
    const presented = Buffer.from(signature, 'base64url');
    const expected = this.mac(list, position);
    if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) throw invalid;
    return position;
  }
}
