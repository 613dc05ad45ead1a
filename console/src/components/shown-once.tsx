import type { ReactNode } from 'react';

/** A secret the server shows only this once (it keeps only a hash), in a named region. */
export function ShownOnce({ label, children, onDismiss }: { label: string; children: ReactNode; onDismiss: () => void }) {
  return (
    <section className="shown-once" role="region" aria-label={label}>
      <h3>{label}</h3>
      <p>
        <strong>Shown once:</strong> copy it now. Only its hash is stored, so it cannot be shown again.
      </p>
      {children}
      <button type="button" className="secondary" onClick={onDismiss}>
        I have copied it
      </button>
    </section>
  );
}

/** A secret value: selectable in one click, wrapping instead of widening the page. */
export function SecretValue({ label, value }: { label: string; value: string }) {
  return (
    <div className="secret-value">
      <span className="secret-label">{label}</span>
      <code>{value}</code>
    </div>
  );
}
