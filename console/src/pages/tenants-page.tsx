import { useState, type FormEvent } from 'react';
import { api } from '../api';
import { Loading, ProblemAlert, StatusMessage } from '../components/feedback';
import { SecretValue, ShownOnce } from '../components/shown-once';
import { EmptyRow, TableRegion } from '../components/table-region';
import { formatTime } from '../format';
import { Link, paths } from '../router';
import { useTenants } from '../tenants-context';
import { MODES, type CreatedTenant, type DataList, type Tenant } from '../types';
import { usePageTitle } from '../use-page-title';
import { useAction } from '../use-action';
import { useResource } from '../use-resource';

export function TenantsPage() {
  usePageTitle('Tenants');
  const list = useResource<DataList<Tenant>>('/admin/v1/tenants?limit=100');
  const directory = useTenants();
  const [created, setCreated] = useState<CreatedTenant | null>(null);
  const [status, setStatus] = useState('');

  return (
    <>
      <h1>Tenants</h1>
      <StatusMessage message={status} />
      <ProblemAlert error={list.error} />
      {list.loading && !list.data && <Loading what="tenants" />}
      {list.data && (
        <TableRegion label="Tenants">
          <table>
            <caption>Tenants</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Id</th>
                <th scope="col">Country</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {list.data.data.length === 0 && <EmptyRow columns={4} text="No tenants yet: create one below." />}
              {list.data.data.map((tenant) => (
                <tr key={tenant.id}>
                  <td>
                    <Link href={paths.tenant(tenant.id)}>{tenant.name}</Link>
                  </td>
                  <td>
                    <code>{tenant.id}</code>
                  </td>
                  <td>{tenant.country}</td>
                  <td>{formatTime(tenant.created_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableRegion>
      )}
      <CreateTenantForm
        onCreated={(tenant) => {
          setCreated(tenant);
          setStatus(`Tenant ${tenant.name} created (${tenant.id}).`);
          list.reload();
          directory.reload();
        }}
      />
      {created && (
        <ShownOnce label="New keys" onDismiss={() => setCreated(null)}>
          <p>
            The API keys of <Link href={paths.tenant(created.id)}>{created.name}</Link>:
          </p>
          {MODES.map((mode) => (
            <div key={mode} className="key-group">
              <SecretValue label={`${mode} secret key (${created.keys[mode].secret_id})`} value={created.keys[mode].secret} />
              <SecretValue label={`${mode} publishable key (${created.keys[mode].publishable_id})`} value={created.keys[mode].publishable} />
              <SecretValue label={`${mode} Xendit-format secret key (${created.keys[mode].xendit_id})`} value={created.keys[mode].xendit} />
            </div>
          ))}
        </ShownOnce>
      )}
    </>
  );
}

function CreateTenantForm({ onCreated }: { onCreated: (tenant: CreatedTenant) => void }) {
  const [name, setName] = useState('');
  const [country, setCountry] = useState('');
  const { busy, error, run } = useAction();
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    void run(async () => {
      const body = country.trim() === '' ? { name } : { name, country: country.trim().toUpperCase() };
      onCreated(await api.post<CreatedTenant>('/admin/v1/tenants', body));
      setName('');
      setCountry('');
    });
  };

  return (
    <section aria-labelledby="create-tenant-heading">
      <h2 id="create-tenant-heading">Create tenant</h2>
      <form aria-labelledby="create-tenant-heading" onSubmit={submit} className="inline-form">
        <div className="field">
          <label htmlFor="tenant-name">Name</label>
          <input id="tenant-name" required maxLength={255} value={name} onChange={(event) => setName(event.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="tenant-country">Country (ISO code, optional)</label>
          <input id="tenant-country" maxLength={2} size={4} value={country} onChange={(event) => setCountry(event.target.value)} placeholder="ID" />
        </div>
        <button type="submit" disabled={busy}>
          Create tenant
        </button>
      </form>
      <ProblemAlert error={error} />
    </section>
  );
}
