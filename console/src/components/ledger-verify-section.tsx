import { useState } from 'react';
import { adminPath, api } from '../api';
import type { LedgerVerification } from '../types';
import { useAction } from '../use-action';
import { ProblemAlert, StatusMessage } from './feedback';

/** The tenant's ledger checked on demand (SPEC §8): every hash chain and invariant, as `subledger verify --tenant` does. */
export function LedgerVerifySection({ tenantId }: { tenantId: string }) {
  const { busy, error, message, run } = useAction();
  const [result, setResult] = useState<LedgerVerification | null>(null);
  const verify = () =>
    void run(async () => {
      const checked = await api.post<LedgerVerification>(adminPath('tenants', tenantId, 'verify'), {});
      setResult(checked);
      return checked.ok ? `Ledger verified: ${checked.entries} entries on ${checked.balances} balances, no problems.` : `Ledger check found ${checked.problem_count} problems.`;
    });
  return (
    <section aria-labelledby="ledger-verify-heading">
      <h2 id="ledger-verify-heading">Ledger audit</h2>
      <p className="muted">Checks every balance's hash chain, that each balance equals its entries and that every posting sums to zero.</p>
      <button type="button" onClick={verify} disabled={busy}>
        {busy ? 'Verifying…' : 'Verify ledger'}
      </button>
      <StatusMessage message={message} />
      <ProblemAlert error={error} />
      {result && !result.ok && (
        <ul aria-label="Ledger problems">
          {result.problems.map((problem) => (
            <li key={problem.line}>
              <code>{problem.line}</code>
            </li>
          ))}
        </ul>
      )}
      {result && <p className="muted">{result.summary}</p>}
    </section>
  );
}
