import { failureText } from '../api';

/** A failed call's detail, announced at once. */
export function ProblemAlert({ error }: { error: unknown }) {
  if (error === undefined || error === null) return null;
  return (
    <p role="alert" className="alert">
      {failureText(error)}
    </p>
  );
}

/** A polite live region: always in the page, so a change of its text is announced. */
export function StatusMessage({ message }: { message: string }) {
  return (
    <p role="status" aria-live="polite" className={message ? 'status-message' : 'status-message empty'}>
      {message}
    </p>
  );
}

export function Loading({ what }: { what: string }) {
  return <p className="muted">Loading {what}…</p>;
}
