import { adminPath } from '../api';
import { minorUnitsAsMajor, orDash } from '../format';
import type { BillPage } from '../types';
import { useResource } from '../use-resource';
import { Loading, ProblemAlert } from './feedback';
import { EmptyRow, TableRegion } from './table-region';

const SHOWN = 50;

/** A billing account's or customer's bills, newest first (Moment's third billing model: they never move its balance). */
export function AccountBills({ tenantId, accountId }: { tenantId: string; accountId: string }) {
  const bills = useResource<BillPage>(`${adminPath('tenants', tenantId, 'accounts', accountId, 'bills')}?limit=${SHOWN}`);
  return (
    <section aria-labelledby="bills-heading">
      <h2 id="bills-heading">Bills</h2>
      <ProblemAlert error={bills.error} />
      {bills.loading && !bills.data && <Loading what="bills" />}
      {bills.data && (
        <TableRegion label="Bills, newest first">
          <table>
            <thead>
              <tr>
                <th scope="col">Bill</th>
                <th scope="col">Status</th>
                <th scope="col">Due</th>
                <th scope="col">Paid</th>
                <th scope="col">Remaining</th>
                <th scope="col">Bill date</th>
                <th scope="col">Due date</th>
              </tr>
            </thead>
            <tbody>
              {bills.data.data.length === 0 && <EmptyRow columns={7} text="No bills." />}
              {bills.data.data.map((bill) => (
                <tr key={bill.id}>
                  <td>
                    {bill.external_reference}
                    <br />
                    <code className="muted">{bill.id}</code>
                  </td>
                  <td>{bill.status}</td>
                  <td className="amount">{`${minorUnitsAsMajor(bill.amount_due, bill.currency)} ${bill.currency}`}</td>
                  <td className="amount">{minorUnitsAsMajor(bill.amount_paid, bill.currency)}</td>
                  <td className="amount">{minorUnitsAsMajor(bill.amount_remaining, bill.currency)}</td>
                  <td>{bill.bill_date}</td>
                  <td>{orDash(bill.due_date)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableRegion>
      )}
      {bills.data?.has_more && <p className="muted">{`Showing the newest ${SHOWN}; list the rest with GET /billing/bills.`}</p>}
    </section>
  );
}
