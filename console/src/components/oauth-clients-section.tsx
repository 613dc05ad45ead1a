import { useState, type FormEvent } from 'react';
import { adminPath, api } from '../api';
import { formatTime, orDash } from '../format';
import { MODES, ORG_ROLES, type CreatedOAuthClient, type DataList, type Mode, type OAuthClient } from '../types';
import { useListChanges } from '../use-action';
import { useResource } from '../use-resource';
import { Loading, ProblemAlert, StatusMessage } from './feedback';
import { SecretValue, ShownOnce } from './shown-once';
import { EmptyRow, TableRegion } from './table-region';

/** A tenant's OAuth clients (the org surface's app clients): list, create, revoke. */
export function OAuthClientsSection({ tenantId }: { tenantId: string }) {
  const clientsPath = adminPath('tenants', tenantId, 'oauth-clients');
  const clients = useResource<DataList<OAuthClient>>(clientsPath);
  const [created, setCreated] = useState<CreatedOAuthClient | null>(null);
  const { busy, error, message, change } = useListChanges(clients);

  const revoke = (client: OAuthClient) =>
    change(async () => {
      await api.delete<OAuthClient>(`${clientsPath}/${encodeURIComponent(client.client_id)}`);
      setCreated((shown) => (shown?.client_id === client.client_id ? null : shown));
      return `Client ${client.client_id} revoked.`;
    });
  const create = (input: { name: string; mode: Mode; roles: string[] }) =>
    change(async () => {
      const client = await api.post<CreatedOAuthClient>(clientsPath, input);
      setCreated(client);
      return `Client ${client.client_id} created.`;
    });

  return (
    <section aria-labelledby="oauth-clients-heading">
      <h2 id="oauth-clients-heading">OAuth clients</h2>
      <StatusMessage message={message} />
      <ProblemAlert error={clients.error ?? error} />
      {clients.loading && !clients.data && <Loading what="OAuth clients" />}
      {clients.data && (
        <TableRegion label="OAuth clients of this tenant">
          <table>
            <thead>
              <tr>
                <th scope="col">Client id</th>
                <th scope="col">Name</th>
                <th scope="col">Mode</th>
                <th scope="col">Roles</th>
                <th scope="col">Created</th>
                <th scope="col">Revoked</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {clients.data.data.length === 0 && <EmptyRow columns={7} text="No OAuth clients." />}
              {clients.data.data.map((client) => (
                <tr key={client.client_id} className={client.revoked_at ? 'revoked' : undefined}>
                  <td>
                    <code>{client.client_id}</code>
                  </td>
                  <td>{client.name}</td>
                  <td>{client.mode}</td>
                  <td className="wrap">{client.roles.join(', ')}</td>
                  <td>{formatTime(client.created_at)}</td>
                  <td>{orDash(client.revoked_at && formatTime(client.revoked_at))}</td>
                  <td className="actions">
                    {client.revoked_at === null && (
                      <button type="button" className="danger" disabled={busy} aria-label={`Revoke client ${client.client_id}`} onClick={() => void revoke(client)}>
                        Revoke
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableRegion>
      )}
      {created && (
        <ShownOnce label="New client secret" onDismiss={() => setCreated(null)}>
          <SecretValue label={`client_id`} value={created.client_id} />
          <SecretValue label={`client_secret (${created.mode})`} value={created.client_secret} />
        </ShownOnce>
      )}
      <CreateClientForm busy={busy} onCreate={create} />
    </section>
  );
}

function CreateClientForm({ busy, onCreate }: { busy: boolean; onCreate: (input: { name: string; mode: Mode; roles: string[] }) => Promise<boolean> }) {
  const [name, setName] = useState('');
  const [mode, setMode] = useState<Mode>('test');
  const [roles, setRoles] = useState<string[]>([...ORG_ROLES]);
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    void onCreate({ name, mode, roles: ORG_ROLES.filter((role) => roles.includes(role)) }).then((done) => done && setName(''));
  };
  const toggle = (role: string, on: boolean) => setRoles((chosen) => (on ? [...chosen, role] : chosen.filter((r) => r !== role)));
  return (
    <form aria-labelledby="create-client-heading" onSubmit={submit} className="inline-form">
      <h3 id="create-client-heading">Create client</h3>
      <div className="field">
        <label htmlFor="client-name">Client name</label>
        <input id="client-name" required maxLength={255} value={name} onChange={(event) => setName(event.target.value)} />
      </div>
      <div className="field">
        <label htmlFor="client-mode">Mode</label>
        <select id="client-mode" value={mode} onChange={(event) => setMode(event.target.value as Mode)}>
          {MODES.map((m) => (
            <option key={m}>{m}</option>
          ))}
        </select>
      </div>
      <fieldset>
        <legend>Roles</legend>
        {ORG_ROLES.map((role) => (
          <label key={role} className="checkbox">
            <input type="checkbox" checked={roles.includes(role)} onChange={(event) => toggle(role, event.target.checked)} /> {role}
          </label>
        ))}
      </fieldset>
      <button type="submit" disabled={busy}>
        Create client
      </button>
    </form>
  );
}
