import { useState, type FormEvent } from 'react';
import { adminPath, api, withQuery } from '../api';
import { DeliveriesTable } from '../components/deliveries-table';
import { Loading, ProblemAlert, StatusMessage } from '../components/feedback';
import { SecretValue, ShownOnce } from '../components/shown-once';
import { EmptyRow, TableRegion } from '../components/table-region';
import { formatTime } from '../format';
import { navigate, paths } from '../router';
import { DELIVERY_STATUSES, MODES, type CreatedWebhookEndpoint, type DataList, type Mode, type WebhookDelivery, type WebhookEndpoint } from '../types';
import { usePageTitle } from '../use-page-title';
import { useListChanges } from '../use-action';
import { useResource } from '../use-resource';

export function WebhooksPage({ tenantId, search }: { tenantId: string; search: string }) {
  usePageTitle('Webhooks');
  return (
    <>
      <h1>Webhooks</h1>
      <Endpoints tenantId={tenantId} />
      <Deliveries tenantId={tenantId} status={new URLSearchParams(search).get('status') ?? ''} />
    </>
  );
}

function Endpoints({ tenantId }: { tenantId: string }) {
  const endpointsPath = adminPath('tenants', tenantId, 'webhook-endpoints');
  const endpoints = useResource<DataList<WebhookEndpoint>>(endpointsPath);
  const [created, setCreated] = useState<CreatedWebhookEndpoint | null>(null);
  const { busy, error, message, change } = useListChanges(endpoints);
  const remove = (endpoint: WebhookEndpoint) =>
    change(async () => {
      await api.delete(`${endpointsPath}/${encodeURIComponent(endpoint.id)}`);
      return `Endpoint ${endpoint.id} deleted.`;
    });
  const add = (url: string, mode: Mode) =>
    change(async () => {
      const endpoint = await api.post<CreatedWebhookEndpoint>(endpointsPath, { url, mode });
      setCreated(endpoint);
      return `Endpoint ${endpoint.id} added.`;
    });

  return (
    <section aria-labelledby="endpoints-heading">
      <h2 id="endpoints-heading">Endpoints</h2>
      <StatusMessage message={message} />
      <ProblemAlert error={endpoints.error ?? error} />
      {endpoints.loading && !endpoints.data && <Loading what="endpoints" />}
      {endpoints.data && (
        <TableRegion label="Webhook endpoints">
          <table>
            <thead>
              <tr>
                <th scope="col">Id</th>
                <th scope="col">URL</th>
                <th scope="col">Mode</th>
                <th scope="col">Events</th>
                <th scope="col">Created</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {endpoints.data.data.length === 0 && <EmptyRow columns={6} text="No endpoints." />}
              {endpoints.data.data.map((endpoint) => (
                <tr key={endpoint.id}>
                  <td>
                    <code>{endpoint.id}</code>
                  </td>
                  <td className="wrap">{endpoint.url}</td>
                  <td>{endpoint.mode}</td>
                  <td>{endpoint.events.join(', ')}</td>
                  <td>{formatTime(endpoint.created_at)}</td>
                  <td className="actions">
                    <button type="button" className="danger" disabled={busy} aria-label={`Delete endpoint ${endpoint.id}`} onClick={() => void remove(endpoint)}>
                      Delete
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableRegion>
      )}
      {created && (
        <ShownOnce label="New endpoint secret" onDismiss={() => setCreated(null)}>
          <SecretValue label={`Signing secret of ${created.id} (${created.url})`} value={created.secret} />
        </ShownOnce>
      )}
      <AddEndpointForm busy={busy} onAdd={add} />
    </section>
  );
}

function AddEndpointForm({ busy, onAdd }: { busy: boolean; onAdd: (url: string, mode: Mode) => Promise<boolean> }) {
  const [url, setUrl] = useState('');
  const [mode, setMode] = useState<Mode>('test');
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    void onAdd(url.trim(), mode).then((done) => done && setUrl(''));
  };
  return (
    <form aria-labelledby="add-endpoint-heading" onSubmit={submit} className="inline-form">
      <h3 id="add-endpoint-heading">Add endpoint</h3>
      <div className="field grow">
        <label htmlFor="endpoint-url">Endpoint URL</label>
        <input id="endpoint-url" type="url" required maxLength={2048} value={url} onChange={(event) => setUrl(event.target.value)} placeholder="https://example.com/webhooks" />
      </div>
      <div className="field">
        <label htmlFor="endpoint-mode">Mode</label>
        <select id="endpoint-mode" value={mode} onChange={(event) => setMode(event.target.value as Mode)}>
          {MODES.map((m) => (
            <option key={m}>{m}</option>
          ))}
        </select>
      </div>
      <button type="submit" disabled={busy}>
        Add endpoint
      </button>
    </form>
  );
}

// The status filter lives in the URL's query, so a reload keeps it.
function Deliveries({ tenantId, status }: { tenantId: string; status: string }) {
  const deliveries = useResource<DataList<WebhookDelivery>>(withQuery(adminPath('tenants', tenantId, 'webhook-deliveries'), { status, limit: 50 }));
  return (
    <section aria-labelledby="deliveries-heading">
      <h2 id="deliveries-heading">Deliveries</h2>
      <div className="field">
        <label htmlFor="delivery-status">Delivery status</label>
        <select id="delivery-status" value={status} onChange={(event) => navigate(withQuery(paths.webhooks(tenantId), { status: event.target.value }))}>
          <option value="">All</option>
          {DELIVERY_STATUSES.map((s) => (
            <option key={s}>{s}</option>
          ))}
        </select>
      </div>
      <ProblemAlert error={deliveries.error} />
      {deliveries.loading && <Loading what="deliveries" />}
      {deliveries.data && <DeliveriesTable key={status} tenantId={tenantId} deliveries={deliveries.data.data} label="Webhook deliveries, newest first" />}
    </section>
  );
}
