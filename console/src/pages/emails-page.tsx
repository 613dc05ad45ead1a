import { adminPath } from '../api';
import { Loading, ProblemAlert } from '../components/feedback';
import { EmptyRow, TableRegion } from '../components/table-region';
import { formatTime, orDash } from '../format';
import type { DataList, Email } from '../types';
import { usePageTitle } from '../use-page-title';
import { useResource } from '../use-resource';

export function EmailsPage({ tenantId }: { tenantId: string }) {
  usePageTitle('E-mails');
  const emails = useResource<DataList<Email>>(`${adminPath('tenants', tenantId, 'emails')}?limit=100`);
  return (
    <>
      <h1>E-mails</h1>
      <ProblemAlert error={emails.error} />
      {emails.loading && !emails.data && <Loading what="e-mails" />}
      {emails.data && (
        <TableRegion label="E-mails, newest first">
          <table>
            <thead>
              <tr>
                <th scope="col">Recipient</th>
                <th scope="col">Subject</th>
                <th scope="col">Mode</th>
                <th scope="col">Status</th>
                <th scope="col">Attempts</th>
                <th scope="col">Last error</th>
                <th scope="col">Created</th>
                <th scope="col">Sent</th>
              </tr>
            </thead>
            <tbody>
              {emails.data.data.length === 0 && <EmptyRow columns={8} text="No e-mails." />}
              {emails.data.data.map((email) => (
                <tr key={email.id}>
                  <td className="wrap">{email.to}</td>
                  <td className="wrap">{email.subject}</td>
                  <td>{email.mode}</td>
                  <td>
                    <span className={`badge badge-${email.status}`}>{email.status}</span>
                  </td>
                  <td>{email.attempts}</td>
                  <td className="wrap">{orDash(email.last_error)}</td>
                  <td>{formatTime(email.created_at)}</td>
                  <td>{formatTime(email.sent_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableRegion>
      )}
    </>
  );
}
