import { useState, type FormEvent } from 'react';
import { signIn } from '../api';
import { ProblemAlert } from '../components/feedback';
import { BASE, navigate, paths } from '../router';
import { usePageTitle } from '../use-page-title';

/** Where to go after signing in: `next` when it is one of the console's own pages, else the start. */
export function destinationAfterSignIn(search: string): string {
  const next = new URLSearchParams(search).get('next');
  return next !== null && next.startsWith(`${BASE}/`) && !next.startsWith(`${BASE}/sign-in`) ? next : paths.tenants();
}

export function SignInPage({ search, onSignedIn }: { search: string; onSignedIn: () => void }) {
  usePageTitle('Sign in');
  const [token, setToken] = useState('');
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await signIn(token);
      onSignedIn();
      navigate(destinationAfterSignIn(search), { replace: true });
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  }

  return (
    <div className="narrow">
      <h1>Sign in</h1>
      <p>Sign in with the admin token this server was started with (the value of SUBLEDGER_ADMIN_TOKEN).</p>
      <form onSubmit={(event) => void submit(event)} aria-label="Sign in">
        <div className="field">
          <label htmlFor="admin-token">Admin token</label>
          <input id="admin-token" type="password" autoComplete="current-password" required value={token} onChange={(event) => setToken(event.target.value)} />
        </div>
        <ProblemAlert error={error} />
        <button type="submit" disabled={busy}>
          Sign in
        </button>
      </form>
    </div>
  );
}
