import { useState, type FormEvent } from 'react';
import { adminPath, api } from '../api';
import { formatTime, orDash } from '../format';
import type { DataList, TestClock, TestSnapshot } from '../types';
import { useAction } from '../use-action';
import { useResource } from '../use-resource';
import { Loading, ProblemAlert, StatusMessage } from './feedback';
import { EmptyRow, TableRegion } from './table-region';

/** Advances the console offers; the API takes any number of seconds. */
const ADVANCES = [
  { label: '1 hour', seconds: 3600 },
  { label: '1 day', seconds: 86_400 },
  { label: '30 days', seconds: 30 * 86_400 },
];

/**
 * The tenant's test mode as a stand-in (SPEC §7): its clock, advanced; its test data reset;
 * its snapshots, taken and restored. Live data is never touched.
 */
export function TestModeSection({ tenantId }: { tenantId: string }) {
  const clock = useResource<TestClock>(adminPath('tenants', tenantId, 'test-clock'));
  const snapshotsPath = adminPath('tenants', tenantId, 'test-snapshots');
  const snapshots = useResource<DataList<TestSnapshot>>(snapshotsPath);
  const { busy, error, message, run } = useAction();
  const [seconds, setSeconds] = useState(ADVANCES[0]!.seconds);
  const [name, setName] = useState('');

  const afterChange = () => {
    clock.reload();
    snapshots.reload();
  };
  const advance = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    void run(async () => {
      const moved = await api.post<TestClock>(adminPath('tenants', tenantId, 'test-clock', 'advance'), { seconds });
      clock.setData(moved);
      return `Test clock advanced to ${formatTime(moved.now)}.`;
    });
  };
  const reset = () =>
    void run(async () => {
      const { deleted } = await api.post<{ deleted: Record<string, number> }>(adminPath('tenants', tenantId, 'test-reset'), {});
      const total = Object.values(deleted).reduce((sum, n) => sum + n, 0);
      return `Test data reset: ${total} rows deleted.`;
    }).then(afterChange);
  const take = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    void run(async () => {
      const taken = await api.post<TestSnapshot>(snapshotsPath, name.trim() === '' ? {} : { name: name.trim() });
      setName('');
      return `Snapshot ${taken.id} taken.`;
    }).then(afterChange);
  };
  const restore = (snapshot: TestSnapshot) =>
    void run(async () => {
      await api.post(adminPath('tenants', tenantId, 'test-snapshots', snapshot.id, 'restore'), {});
      return `Snapshot ${snapshot.name ?? snapshot.id} restored.`;
    }).then(afterChange);

  return (
    <section aria-labelledby="test-mode-heading">
      <h2 id="test-mode-heading">Test mode</h2>
      <StatusMessage message={message} />
      <ProblemAlert error={clock.error ?? snapshots.error ?? error} />
      {clock.loading && !clock.data && <Loading what="test clock" />}
      {clock.data && (
        <dl className="facts">
          <div>
            <dt>Test clock</dt>
            <dd>
              <time dateTime={clock.data.now}>{formatTime(clock.data.now)}</time> {clock.data.frozen ? '(frozen)' : '(running)'}
            </dd>
          </div>
        </dl>
      )}
      <form aria-labelledby="advance-heading" onSubmit={advance} className="inline-form">
        <h3 id="advance-heading">Advance the test clock</h3>
        <div className="field">
          <label htmlFor="advance-by">By</label>
          <select id="advance-by" value={seconds} onChange={(event) => setSeconds(Number(event.target.value))}>
            {ADVANCES.map((a) => (
              <option key={a.seconds} value={a.seconds}>
                {a.label}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" disabled={busy}>
          Advance
        </button>
      </form>
      <p>
        <button type="button" className="danger" disabled={busy} onClick={reset}>
          Reset test data
        </button>{' '}
        <span className="muted">Deletes every test-mode object; keys, OAuth clients, webhook endpoints and snapshots stay.</span>
      </p>
      <h3 id="snapshots-heading">Snapshots</h3>
      {snapshots.loading && !snapshots.data && <Loading what="snapshots" />}
      {snapshots.data && (
        <TableRegion label="Test-mode snapshots of this tenant">
          <table aria-labelledby="snapshots-heading">
            <thead>
              <tr>
                <th scope="col">Snapshot</th>
                <th scope="col">Name</th>
                <th scope="col">Taken</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {snapshots.data.data.length === 0 && <EmptyRow columns={4} text="No snapshots." />}
              {snapshots.data.data.map((snapshot) => (
                <tr key={snapshot.id}>
                  <td>
                    <code>{snapshot.id}</code>
                  </td>
                  <td>{orDash(snapshot.name)}</td>
                  <td>{formatTime(snapshot.created_at)}</td>
                  <td className="actions">
                    <button type="button" disabled={busy} aria-label={`Restore snapshot ${snapshot.name ?? snapshot.id}`} onClick={() => restore(snapshot)}>
                      Restore
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableRegion>
      )}
      <form aria-labelledby="take-snapshot-heading" onSubmit={take} className="inline-form">
        <h3 id="take-snapshot-heading">Take a snapshot</h3>
        <div className="field">
          <label htmlFor="snapshot-name">Name (optional)</label>
          <input id="snapshot-name" maxLength={255} value={name} onChange={(event) => setName(event.target.value)} />
        </div>
        <button type="submit" disabled={busy}>
          Take snapshot
        </button>
      </form>
    </section>
  );
}
