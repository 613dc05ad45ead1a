import { useCallback, useState } from 'react';

export interface Action {
  /** True while the action runs: its buttons are disabled meanwhile. */
  busy: boolean;
  /** The last run's failure, for a ProblemAlert. */
  error: unknown;
  /** What the last successful run said, for a StatusMessage. */
  message: string;
  /** Runs `action`; its string, if any, becomes the message. Resolves true when it succeeded. */
  run: (action: () => Promise<string | void>) => Promise<boolean>;
}

/** A change the operator makes (a form or a button): busy while it runs, then a message or a failure. */
export function useAction(): Action {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [message, setMessage] = useState('');
  const run = useCallback(async (action: () => Promise<string | void>) => {
    setBusy(true);
    setError(undefined);
    try {
      const said = await action();
      if (typeof said === 'string') setMessage(said);
      return true;
    } catch (failure) {
      setError(failure);
      return false;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, message, run };
}

/**
 * Changes to a list on screen (create, revoke, delete): each runs as an action, then the list
 * is read again, also after a failure (the list may have changed meanwhile).
 */
export function useListChanges(list: { reload: () => void }): Action & { change: (action: () => Promise<string>) => Promise<boolean> } {
  const action = useAction();
  const change = async (work: () => Promise<string>) => {
    const done = await action.run(work);
    list.reload();
    return done;
  };
  return { ...action, change };
}
