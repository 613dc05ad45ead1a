import pg from 'pg';

// Cross-process notices on PostgreSQL (LISTEN/NOTIFY): how one API process tells the others
// that something they cache changed (a revoked credential, a rotated signing key), so that
// they drop it at once instead of when their cache window ends. A notice can be missed (a
// dropped connection): each process still trusts what it caches only for its window, and
// forgets everything when its listening connection comes back.

/** Credentials changed: an API key or OAuth client revoked, the signing key rotated. */
export const CREDENTIALS_CHANNEL = 'subledger_credentials';

/** How long to wait before listening again after the connection dropped (PostgreSQL restarting). */
const RECONNECT_MS = 1000;

export interface NoticeListener {
  /** Settles once the first LISTEN has been acknowledged (or failed: the cache windows still apply). */
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

/**
 * Calls `onNotice` for every notice on `channel`, and once after each reconnection (notices sent
 * while it was away are lost, so the caller must assume anything changed). One dedicated
 * connection per process, outside the pool.
 */
export function listenForNotices(url: string, connectTimeoutMs: number, channel: string, onNotice: () => void): NoticeListener {
  let client: pg.Client | undefined;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (markReady = resolve));

  const retry = () => {
    if (closed || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      void connect(true);
    }, RECONNECT_MS);
    timer.unref();
  };

  async function connect(again: boolean): Promise<void> {
    const current = new pg.Client({ connectionString: url, connectionTimeoutMillis: connectTimeoutMs });
    client = current;
    current.on('notification', (message) => {
      if (message.channel === channel) onNotice();
    });
    // Only the newest connection may start another: an older one ending late must not add a second listener.
    current.on('error', () => {
      void current.end().catch(() => {});
      if (current === client) retry();
    });
    current.on('end', () => {
      if (current === client) retry();
    });
    try {
      await current.connect();
      // A channel name is an identifier: ours is a constant of lowercase letters and underscores.
      await current.query(`LISTEN ${channel}`);
      if (closed) await current.end();
      else if (again) onNotice();
    } catch {
      void current.end().catch(() => {});
      if (current === client) retry();
    } finally {
      markReady();
    }
  }

  if (!/^[a-z_]+$/.test(channel)) throw new Error(`channel ${channel} is not a plain identifier`);
  void connect(false);
  return {
    ready,
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      await client?.end().catch(() => {});
    },
  };
}
