import type { Command } from 'commander';
import { announceCredentialChange } from '../http/auth.js';
import { rotateSigningKey } from '../surfaces/org/store/signing-keys.js';
import type { WithStore } from './oauth-clients.js';

/** `subledger signing-keys rotate`: a new key signs the org surface's access tokens; the previous one verifies until its tokens have expired. */
export function addSigningKeyCommands(program: Command, withStore: WithStore, print: (value: unknown) => void): void {
  const signingKeys = program.command('signing-keys').description("manage the key that signs the org surface's access tokens (published at /.well-known/jwks.json)");
  signingKeys
    .command('rotate')
    .description('sign new access tokens with a new key; the previous key stays in the JWKS, and its tokens keep working, until the last of them has expired')
    .action(() =>
      withStore(async (store) => {
        const rotated = await rotateSigningKey(store);
        await announceCredentialChange(store);
        print({ kid: rotated.kid, previous_kid: rotated.previousKid, previous_published_until: rotated.previousValidUntil });
      }),
    );
}
