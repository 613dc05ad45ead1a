import { openFailureCause } from './store/driver-failures.js';

/**
 * A start that cannot succeed, said in one line: the cause and the environment variable to
 * change (SPEC §1). The CLI prints its message and exits non-zero, with no stack trace.
 */
export class StartupFailure extends Error {}

/** @returns a StartupFailure naming DATABASE_URL when the store's codes say why it cannot be opened, else `error` itself */
export function databaseStartupFailure(error: unknown, databaseUrl: string): unknown {
  const cause = openFailureCause(error, databaseUrl);
  return cause ? new StartupFailure(`cannot open the database: ${cause}; check DATABASE_URL`, { cause: error }) : error;
}

/** @returns a StartupFailure naming PORT or HOST when node says why it cannot listen there, else `error` itself */
export function listenStartupFailure(error: unknown, host: string, port: number): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  switch (code) {
    case 'EADDRINUSE':
      return new StartupFailure(`port ${port} on ${host} is already in use (another subledger?); set PORT to a free port`, { cause: error });
    case 'EACCES':
      return new StartupFailure(`not permitted to listen on port ${port} (ports below 1024 need privileges); set PORT to 1024 or above`, { cause: error });
    case 'EADDRNOTAVAIL':
      return new StartupFailure(`HOST ${host} is not an address of this machine; set HOST to one of its addresses (127.0.0.1, or 0.0.0.0 for all)`, { cause: error });
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
    case 'EAI_FAIL':
      return new StartupFailure(`HOST ${host} cannot be resolved to an address; set HOST to an address (127.0.0.1, 0.0.0.0) or a name this machine resolves`, { cause: error });
  }
  return error;
}
