import { useState, type FormEvent } from 'react';
import { adminPath, api } from '../api';
import type { AccountDetail, LowBalanceSettings } from '../types';
import { ProblemAlert, StatusMessage } from './feedback';

/** A platform sub-account's next status, among those its lifecycle allows from the current one. */
export function MoveStatusForm({ tenantId, account, onMoved }: { tenantId: string; account: AccountDetail; onMoved: () => void }) {
  const platformStatus = account.actions.platform_status!;
  const [error, setError] = useState<unknown>(undefined);
  const [message, setMessage] = useState('');
  const [busy, setBusy] = useState(false);

  async function move(status: string) {
    setBusy(true);
    setError(undefined);
    try {
      const moved = await api.post<{ status: string }>(adminPath('tenants', tenantId, 'platform-accounts', account.id, 'status'), { status });
      setMessage(`Status moved from ${platformStatus.current} to ${moved.status}.`);
      onMoved();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="move-status-heading">
      <h2 id="move-status-heading">Move status</h2>
      <StatusMessage message={message} />
      <p>
        Current status: <strong>{platformStatus.current}</strong>
      </p>
      {platformStatus.allowed.length === 0 ? (
        <p>No move is allowed from {platformStatus.current}.</p>
      ) : (
        // Keyed by the current status: after a move, the choices start again from the first allowed one.
        <NewStatusForm key={platformStatus.current} allowed={platformStatus.allowed} busy={busy} onMove={(status) => void move(status)} />
      )}
      <ProblemAlert error={error} />
    </section>
  );
}

function NewStatusForm({ allowed, busy, onMove }: { allowed: string[]; busy: boolean; onMove: (status: string) => void }) {
  const [status, setStatus] = useState(allowed[0] ?? '');
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    onMove(status);
  };
  return (
    <form aria-labelledby="move-status-heading" onSubmit={submit} className="inline-form">
      <div className="field">
        <label htmlFor="new-status">New status</label>
        <select id="new-status" value={status} onChange={(event) => setStatus(event.target.value)}>
          {allowed.map((option) => (
            <option key={option}>{option}</option>
          ))}
        </select>
      </div>
      <button type="submit" disabled={busy}>
        Move status
      </button>
    </form>
  );
}

/** An org account's low-balance notification: on or off, to whom, below what balance. */
export function LowBalanceForm({ tenantId, account, onSaved }: { tenantId: string; account: AccountDetail; onSaved: (account: AccountDetail) => void }) {
  const saved: LowBalanceSettings | null | undefined = account.actions.low_balance;
  const [notify, setNotify] = useState(saved?.has_notification ?? false);
  const [email, setEmail] = useState(saved?.notification_email ?? '');
  const [threshold, setThreshold] = useState(saved?.threshold ?? '');
  const [error, setError] = useState<unknown>(undefined);
  const [message, setMessage] = useState('');
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const body: LowBalanceSettings = { has_notification: notify, notification_email: email.trim(), threshold: threshold.trim() };
      const updated = await api.put<AccountDetail>(adminPath('tenants', tenantId, 'org-accounts', account.id, 'low-balance'), body);
      setMessage(body.has_notification ? `Low-balance settings saved: ${body.notification_email} is told below ${body.threshold}.` : 'Low-balance settings saved: no notification.');
      onSaved(updated);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="low-balance-heading">
      <h2 id="low-balance-heading">Low-balance notification</h2>
      <StatusMessage message={message} />
      <form aria-labelledby="low-balance-heading" onSubmit={(event) => void submit(event)} className="inline-form">
        <label className="checkbox">
          <input type="checkbox" checked={notify} onChange={(event) => setNotify(event.target.checked)} /> Notify
        </label>
        <div className="field">
          <label htmlFor="low-balance-email">Notification e-mail</label>
          <input id="low-balance-email" type="email" autoComplete="email" value={email} onChange={(event) => setEmail(event.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="low-balance-threshold">Threshold</label>
          <input id="low-balance-threshold" inputMode="decimal" value={threshold} onChange={(event) => setThreshold(event.target.value)} aria-describedby="low-balance-threshold-hint" />
          <p id="low-balance-threshold-hint" className="hint">
            In major units, e.g. 10.50.
          </p>
        </div>
        <button type="submit" disabled={busy}>
          Save low-balance settings
        </button>
      </form>
      <ProblemAlert error={error} />
    </section>
  );
}
