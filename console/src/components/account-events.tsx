import { adminPath } from '../api';
import { formatTime } from '../format';
import type { AccountEvent, DataList } from '../types';
import { useResource } from '../use-resource';
import { DeliveriesTable } from './deliveries-table';
import { Loading, ProblemAlert } from './feedback';

/** The events about one account, newest first, each with its webhook deliveries. */
export function AccountEvents({ tenantId, accountId }: { tenantId: string; accountId: string }) {
  const events = useResource<DataList<AccountEvent>>(`${adminPath('tenants', tenantId, 'accounts', accountId, 'events')}?limit=50`);
  return (
    <section aria-labelledby="events-heading">
      <h2 id="events-heading">Events</h2>
      <ProblemAlert error={events.error} />
      {events.loading && !events.data && <Loading what="events" />}
      {events.data && events.data.data.length === 0 && <p className="muted">No events about this account.</p>}
      {events.data && (
        <ol className="events">
          {events.data.data.map((event) => (
            <li key={event.id} className="event">
              <h3>{event.type}</h3>
              <p className="muted">
                <time dateTime={event.created_at}>{formatTime(event.created_at)}</time> · from {event.source} · <code>{event.id}</code>
              </p>
              <details>
                <summary>Event data</summary>
                <pre className="json">{JSON.stringify(event.data, null, 2)}</pre>
              </details>
              {event.deliveries.length === 0 ? (
                <p className="muted">No webhook deliveries.</p>
              ) : (
                <DeliveriesTable tenantId={tenantId} deliveries={event.deliveries} label={`Deliveries of event ${event.id}`} />
              )}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
