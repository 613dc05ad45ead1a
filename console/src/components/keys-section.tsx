import { useState, type FormEvent } from 'react';
import { adminPath, api } from '../api';
import { formatTime, orDash } from '../format';
import { KEY_TYPES, MODES, type ApiKey, type CreatedApiKey, type DataList, type KeyType, type Mode } from '../types';
import { useListChanges } from '../use-action';
import { useResource } from '../use-resource';
import { Loading, ProblemAlert, StatusMessage } from './feedback';
import { SecretValue, ShownOnce } from './shown-once';
import { EmptyRow, TableRegion } from './table-region';

/** A tenant's API keys: list, create, rotate and revoke; a new key's secret shown once. */
export function KeysSection({ tenantId }: { tenantId: string }) {
  const keysPath = adminPath('tenants', tenantId, 'keys');
  const keys = useResource<DataList<ApiKey>>(keysPath);
  const [newKey, setNewKey] = useState<CreatedApiKey | null>(null);
  const { busy, error, message, change } = useListChanges(keys);

  const rotate = (key: ApiKey) =>
    change(async () => {
      const rotated = await api.post<CreatedApiKey>(`${keysPath}/${encodeURIComponent(key.id)}/rotate`);
      setNewKey(rotated);
      return `Key ${key.id} rotated: ${rotated.id} replaces it, and ${key.id} is revoked.`;
    });
  const revoke = (key: ApiKey) =>
    change(async () => {
      await api.delete<ApiKey>(`${keysPath}/${encodeURIComponent(key.id)}`);
      // A secret just shown that is now revoked is of no use to copy.
      setNewKey((shown) => (shown?.id === key.id ? null : shown));
      return `Key ${key.id} revoked.`;
    });
  const create = (mode: Mode, type: KeyType) =>
    change(async () => {
      const created = await api.post<CreatedApiKey>(keysPath, { mode, type });
      setNewKey(created);
      return `Key ${created.id} created.`;
    });

  return (
    <section aria-labelledby="keys-heading">
      <h2 id="keys-heading">Keys</h2>
      <StatusMessage message={message} />
      <ProblemAlert error={keys.error ?? error} />
      {keys.loading && !keys.data && <Loading what="keys" />}
      {keys.data && (
        <TableRegion label="Keys of this tenant">
          <table>
            <thead>
              <tr>
                <th scope="col">Id</th>
                <th scope="col">Mode</th>
                <th scope="col">Type</th>
                <th scope="col">Hint</th>
                <th scope="col">Created</th>
                <th scope="col">Revoked</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {keys.data.data.length === 0 && <EmptyRow columns={7} text="No keys." />}
              {keys.data.data.map((key) => (
                <tr key={key.id} className={key.revoked_at ? 'revoked' : undefined}>
                  <td>
                    <code>{key.id}</code>
                  </td>
                  <td>{key.mode}</td>
                  <td>{key.type}</td>
                  <td>
                    <code>{key.hint}</code>
                  </td>
                  <td>{formatTime(key.created_at)}</td>
                  <td>{orDash(key.revoked_at && formatTime(key.revoked_at))}</td>
                  <td className="actions">
                    {key.revoked_at === null && (
                      <>
                        <button type="button" className="secondary" disabled={busy} aria-label={`Rotate key ${key.id}`} onClick={() => void rotate(key)}>
                          Rotate
                        </button>
                        <button type="button" className="danger" disabled={busy} aria-label={`Revoke key ${key.id}`} onClick={() => void revoke(key)}>
                          Revoke
                        </button>
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableRegion>
      )}
      {newKey && (
        <ShownOnce label="New key" onDismiss={() => setNewKey(null)}>
          <SecretValue label={`${newKey.mode} ${newKey.type} key ${newKey.id}${newKey.replaces ? `, replacing ${newKey.replaces}` : ''}`} value={newKey.key} />
        </ShownOnce>
      )}
      <CreateKeyForm busy={busy} onCreate={create} />
    </section>
  );
}

function CreateKeyForm({ busy, onCreate }: { busy: boolean; onCreate: (mode: Mode, type: KeyType) => Promise<boolean> }) {
  const [mode, setMode] = useState<Mode>('test');
  const [type, setType] = useState<KeyType>('secret');
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    void onCreate(mode, type);
  };
  return (
    <form aria-labelledby="create-key-heading" onSubmit={submit} className="inline-form">
      <h3 id="create-key-heading">Create key</h3>
      <div className="field">
        <label htmlFor="key-mode">Mode</label>
        <select id="key-mode" value={mode} onChange={(event) => setMode(event.target.value as Mode)}>
          {MODES.map((m) => (
            <option key={m}>{m}</option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="key-type">Type</label>
        <select id="key-type" value={type} onChange={(event) => setType(event.target.value as KeyType)}>
          {KEY_TYPES.map((t) => (
            <option key={t}>{t}</option>
          ))}
        </select>
      </div>
      <button type="submit" disabled={busy}>
        Create key
      </button>
    </form>
  );
}
