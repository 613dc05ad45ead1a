import { useState, type FormEvent } from 'react';
import { api, withQuery } from '../api';
import type { BalancesAsOf } from '../types';
import { useAction } from '../use-action';
import { ProblemAlert } from './feedback';
import { EmptyRow, TableRegion } from './table-region';

/** The account's balances at an instant the operator picks (SPEC §8 "Point in time"), exact, in minor units. */
export function BalancesAsOfPicker({ accountPath }: { accountPath: string }) {
  const { busy, error, run } = useAction();
  const [local, setLocal] = useState('');
  const [result, setResult] = useState<BalancesAsOf | null>(null);
  const show = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    void run(async () => {
      // datetime-local is the browser's local time, to the second: sent as a UTC instant.
      const asOf = new Date(local).toISOString();
      setResult(await api.get<BalancesAsOf>(withQuery(`${accountPath}/balances`, { as_of: asOf })));
    });
  };
  return (
    <section aria-labelledby="as-of-heading">
      <h2 id="as-of-heading">Balances as of</h2>
      <form aria-labelledby="as-of-heading" onSubmit={show} className="inline-form">
        <div className="field">
          <label htmlFor="as-of">Instant (your local time)</label>
          <input id="as-of" type="datetime-local" step="1" required value={local} onChange={(event) => setLocal(event.target.value)} />
        </div>
        <button type="submit" disabled={busy || local === ''}>
          Show
        </button>
      </form>
      <ProblemAlert error={error} />
      {result && (
        <TableRegion label={`Balances as of ${result.as_of}`}>
          <table>
            <caption>As of {result.as_of} (amounts in minor units)</caption>
            <thead>
              <tr>
                <th scope="col">Currency</th>
                <th scope="col">Amount</th>
              </tr>
            </thead>
            <tbody>
              {result.data.length === 0 && <EmptyRow columns={2} text="No balance by then." />}
              {result.data.map((balance) => (
                <tr key={balance.currency}>
                  <td>{balance.currency}</td>
                  <td className="amount">{balance.amount}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableRegion>
      )}
    </section>
  );
}
