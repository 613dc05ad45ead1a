import { NotFound, ValidationFailed } from '../../../../src/ledger/errors.js';
import { domainEvent } from '../../../../src/ledger/events.js';
import { newId } from '../../../../src/ledger/ids.js';
import type { CommandContext } from '../../../../src/ledger/model.js';
import { isCurrencyCode, type Money } from '../../../../src/ledger/money.js';
import type { CommandOutput } from '../../../../src/ledger/pipeline.js';
import { externalPosting, post } from '../../../../src/ledger/postings.js';
import type { LedgerTransaction } from '../../../../src/ledger/store.js';
import { probeRepositories } from '../store/wallets.js';

/** A probe vendor's balance holder: a named wallet in one currency. */
export interface Wallet {
  id: string;
  name: string;
  currency: string;
  createdAt: string;
}

declare module '../../../../src/ledger/events.js' {
  interface DomainEvents {
    'probe_wallet.created': Wallet;
    'probe_wallet.credited': { holderId: string; amount: Money; balance: Money };
  }
}

/** @throws ValidationFailed */
export async function createWallet(tx: LedgerTransaction, ctx: CommandContext, input: { name: string; currency: string }): Promise<CommandOutput<Wallet>> {
  if (!isCurrencyCode(input.currency)) throw ValidationFailed.of('currency', 'must be an ISO 4217 code');
  const wallet: Wallet = { id: newId('pwal', ctx.now), name: input.name, currency: input.currency, createdAt: ctx.now };
  await probeRepositories.of(tx).wallets.insert(ctx.scope, wallet);
  return { result: wallet, events: [domainEvent('probe_wallet.created', wallet)] };
}

/** Money entering the books for the wallet: one posting through the kernel. @throws NotFound, ValidationFailed */
export async function creditWallet(tx: LedgerTransaction, ctx: CommandContext, walletId: string, amount: Money): Promise<CommandOutput<Money>> {
  const wallet = await probeRepositories.of(tx).wallets.findById(ctx.scope, walletId);
  if (!wallet) throw new NotFound('wallet', walletId);
  if (amount.currency !== wallet.currency) throw ValidationFailed.of('currency', `must be the wallet's, ${wallet.currency}`);
  const { balances } = await post(tx, ctx, externalPosting('credit', wallet.id, amount));
  const balance = { currency: wallet.currency, amount: balances[0]!.amount };
  return { result: balance, events: [domainEvent('probe_wallet.credited', { holderId: wallet.id, amount, balance })] };
}

/** The wallet's balance (zero before its first credit). @throws NotFound */
export async function walletBalance(tx: LedgerTransaction, scope: CommandContext['scope'], walletId: string): Promise<Money> {
  const wallet = await probeRepositories.of(tx).wallets.findById(scope, walletId);
  if (!wallet) throw new NotFound('wallet', walletId);
  const balance = await tx.balances.find(scope, wallet.id, wallet.currency);
  return { currency: wallet.currency, amount: balance?.amount ?? 0n };
}
