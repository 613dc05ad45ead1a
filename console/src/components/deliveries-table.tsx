import { useEffect, useRef, useState } from 'react';
import { adminPath, api, failureText } from '../api';
import { formatTime, orDash } from '../format';
import type { WebhookDelivery, WebhookDeliveryWithAttempts } from '../types';
import { StatusMessage } from './feedback';
import { EmptyRow, TableRegion } from './table-region';

/** How often, and for how long, a re-sent delivery is read again until its next attempt shows. */
const POLL_EVERY_MS = 500;
const POLL_FOR_MS = 10_000;

const wait = (ms: number) => new Promise<void>((resolve) => window.setTimeout(resolve, ms));

/** A delivery read by id, in the list's shape (its attempts counted). */
const counted = (delivery: WebhookDeliveryWithAttempts): WebhookDelivery => ({ ...delivery, attempts: delivery.attempts.length });

/**
 * Webhook deliveries with a Re-send button each. Re-send makes the delivery due now; the
 * outbox worker attempts it shortly after, so the row is read again until its attempt count
 * changes, and then shows the new count.
 */
export function DeliveriesTable({ tenantId, deliveries, label }: { tenantId: string; deliveries: WebhookDelivery[]; label: string }) {
  const [updated, setUpdated] = useState<Record<string, WebhookDelivery>>({});
  const [resending, setResending] = useState<string | null>(null);
  const [status, setStatus] = useState('');
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  async function resend(delivery: WebhookDelivery) {
    const path = adminPath('tenants', tenantId, 'webhook-deliveries', delivery.id);
    const attemptsBefore = delivery.attempts;
    setResending(delivery.id);
    setStatus(`Re-sending delivery ${delivery.id}…`);
    try {
      await api.post<WebhookDelivery>(`${path}/resend`);
      const deadline = Date.now() + POLL_FOR_MS;
      for (;;) {
        const now = counted(await api.get<WebhookDeliveryWithAttempts>(path));
        if (!mounted.current) return;
        if (now.attempts !== attemptsBefore) {
          setUpdated((rows) => ({ ...rows, [now.id]: now }));
          setStatus(`Delivery ${now.id} re-sent: ${now.attempts} attempts now, status ${now.status}${now.last_error ? ` (${now.last_error})` : ''}.`);
          return;
        }
        if (Date.now() >= deadline) {
          setUpdated((rows) => ({ ...rows, [now.id]: now }));
          setStatus(`Delivery ${now.id} is due again, but no new attempt was made within ${POLL_FOR_MS / 1000} s: is the outbox worker running?`);
          return;
        }
        await wait(POLL_EVERY_MS);
      }
    } catch (failure) {
      if (mounted.current) setStatus(`Re-sending delivery ${delivery.id} failed: ${failureText(failure)}`);
    } finally {
      if (mounted.current) setResending(null);
    }
  }

  return (
    <>
      <StatusMessage message={status} />
      <TableRegion label={label}>
        <table>
          <thead>
            <tr>
              <th scope="col">Delivery</th>
              <th scope="col">Status</th>
              <th scope="col">Event type</th>
              <th scope="col">Endpoint</th>
              <th scope="col">Attempts</th>
              <th scope="col">Last error</th>
              <th scope="col">Last status code</th>
              <th scope="col">Created</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {deliveries.length === 0 && <EmptyRow columns={9} text="No deliveries." />}
            {deliveries.map((listed) => {
              const delivery = updated[listed.id] ?? listed;
              return (
                <tr key={delivery.id}>
                  <td>
                    <code>{delivery.id}</code>
                  </td>
                  <td>
                    <span className={`badge badge-${delivery.status}`}>{delivery.status}</span>
                  </td>
                  <td>{delivery.event_type}</td>
                  <td>
                    <code>{delivery.endpoint_id}</code>
                  </td>
                  <td data-label="attempts">{delivery.attempts}</td>
                  <td className="wrap">{orDash(delivery.last_error)}</td>
                  <td>{orDash(delivery.last_status_code)}</td>
                  <td>{formatTime(delivery.created_at)}</td>
                  <td className="actions">
                    <button type="button" className="secondary" disabled={resending !== null} aria-label={`Re-send delivery ${delivery.id}`} onClick={() => void resend(delivery)}>
                      {resending === delivery.id ? 'Re-sending…' : 'Re-send'}
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </TableRegion>
    </>
  );
}
