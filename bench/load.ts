import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';

/**
 * One operation's request, shaped like an autocannon request (method, path, headers, body,
 * setupRequest), plus the status every answer must have. `setupRequest` runs once per request
 * sent, so it is where unique idempotency keys, references and random ids come from.
 */
export interface RequestSpec {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  path: string;
  headers: Record<string, string>;
  body?: string;
  setupRequest?: (request: BuiltRequest) => BuiltRequest;
  /** Any other status, a socket error, a timeout or a replayed answer counts as an error. */
  expectStatus: number;
}

export interface BuiltRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/** What one measurement gives, whichever tool made it. */
export interface LoadResult {
  tool: 'autocannon' | 'paced';
  connections: number;
  durationS: number;
  /** Requested rate (paced runs only). */
  targetRate: number | null;
  requests: number;
  rps: number;
  /** Milliseconds with sub-millisecond precision (measured from the client's hrtime per request). */
  p50: number;
  p90: number;
  p99: number;
  max: number;
  /** Answers with another status than expected, socket errors, timeouts and unexpected replays. */
  errors: number;
  /**
   * Paced runs only (p50, p90, p99 count from when the generator issued each request): measured
   * from when it was written to the socket; from when it was due; and how late the generator
   * issued it (its 1 ms timer and, on a busy machine, its own waits for a core).
   */
  service?: { p50: number; p99: number };
  fromDue?: { p50: number; p99: number };
  generatorLag?: { p50: number; p99: number };
  statusCounts: Record<string, number>;
  socketErrors: number;
  timeouts: number;
  replays: number;
}

/** Growable array of latencies in milliseconds. */
class Samples {
  private data = new Float64Array(1 << 16);
  length = 0;
  push(value: number): void {
    if (this.length === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = value;
  }
  percentiles(): { p50: number; p90: number; p99: number; max: number } {
    if (this.length === 0) return { p50: 0, p90: 0, p99: 0, max: 0 };
    const sorted = this.data.slice(0, this.length).sort();
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
    return { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: sorted[sorted.length - 1] };
  }
}

const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

function toAutocannonRequest(spec: RequestSpec, onReplay: () => void): autocannon.Request {
  const request: autocannon.Request = { method: spec.method, path: spec.path, headers: spec.headers, body: spec.body };
  if (spec.setupRequest) {
    const setup = spec.setupRequest;
    request.setupRequest = (req) => {
      const built = setup({ method: req.method ?? spec.method, path: req.path ?? spec.path, headers: { ...(req.headers ?? {}) }, body: typeof req.body === 'string' ? req.body : spec.body });
      return { ...req, ...built };
    };
  }
  if (spec.method !== 'GET') {
    request.onResponse = (_status, _body, _context, headers) => {
      if (headers['idempotent-replayed'] !== undefined || headers['Idempotent-Replayed'] !== undefined) onReplay();
    };
  }
  return request;
}

/**
 * Closed-loop peak measurement: `connections` connections each send their next request as soon
 * as the previous answer arrived, for `durationS` seconds (autocannon).
 */
export async function peak(options: {
  base: string;
  spec: RequestSpec;
  connections: number;
  durationS: number;
  onTick?: (requestsSoFar: number) => void;
}): Promise<LoadResult> {
  const samples = new Samples();
  let replays = 0;
  let seen = 0;
  const instance = autocannon({
    url: options.base,
    connections: options.connections,
    duration: options.durationS,
    timeout: 10,
    requests: [toAutocannonRequest(options.spec, () => replays++)],
  });
  instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) => {
    samples.push(responseTime);
    seen++;
  });
  if (options.onTick) {
    const onTick = options.onTick;
    instance.on('tick', () => onTick(seen));
  }
  const result = await instance;
  const statusCounts: Record<string, number> = {};
  let unexpected = 0;
  for (const [code, { count }] of Object.entries(result.statusCodeStats)) {
    statusCounts[code] = count;
    if (Number(code) !== options.spec.expectStatus) unexpected += count;
  }
  const pct = samples.percentiles();
  return {
    tool: 'autocannon',
    connections: options.connections,
    durationS: options.durationS,
    targetRate: null,
    requests: result.requests.total,
    rps: round(result.requests.total / options.durationS, 1),
    p50: round(pct.p50, 3),
    p90: round(pct.p90, 3),
    p99: round(pct.p99, 3),
    max: round(pct.max, 3),
    errors: unexpected + result.errors + replays,
    statusCounts,
    socketErrors: result.errors - result.timeouts,
    timeouts: result.timeouts,
    replays,
  };
}

/** HTTP/1.1 bytes of one request. */
function serialize(request: BuiltRequest, host: string): Buffer {
  const body = request.body === undefined ? undefined : Buffer.from(request.body);
  let head = `${request.method} ${request.path} HTTP/1.1\r\nHost: ${host}\r\nConnection: keep-alive\r\n`;
  for (const [name, value] of Object.entries(request.headers)) head += `${name}: ${value}\r\n`;
  if (body) head += `Content-Length: ${body.length}\r\n`;
  head += '\r\n';
  return body ? Buffer.concat([Buffer.from(head), body]) : Buffer.from(head);
}

/** A request the schedule has issued: when it was due, and when the generator's timer got to it. */
interface Issued {
  dueAt: number;
  issuedAt: number;
}

interface PacedConnection {
  socket: Socket;
  buffer: Buffer;
  /** The in-flight request, or null when the connection is idle. */
  request: Issued | null;
  sentAt: number;
}

/**
 * Open-loop measurement at a fixed rate: requests fall due at an even pace (`rate` per second)
 * whatever the answers do; each is sent on an idle connection of a pool of `connections`, or
 * waits for one. Its latency counts from when the generator issued it (the timer tick that found
 * it due), so time spent waiting for a free connection behind a slow server counts (no
 * coordinated omission), while the generator's own lateness (1 ms timer, a busy machine) is
 * reported apart as `generatorLag`; `service` counts from when it was written to the socket.
 * autocannon's `overallRate` is not used for this: it lets every connection send its whole
 * per-second quota back to back at the start of each second, which measures the peak's
 * queueing again (bench/README.md).
 */
export async function paced(options: {
  base: string;
  spec: RequestSpec;
  connections: number;
  durationS: number;
  rate: number;
  timeoutMs?: number;
}): Promise<LoadResult> {
  const url = new URL(options.base);
  const host = url.host;
  const port = Number(url.port);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const { spec } = options;
  const samples = new Samples();
  const fromDueSamples = new Samples();
  const serviceSamples = new Samples();
  const lagSamples = new Samples();
  const statusCounts: Record<string, number> = {};
  let unexpected = 0;
  let socketErrors = 0;
  let replays = 0;
  let completed = 0;

  const build = (): Buffer => {
    const base: BuiltRequest = { method: spec.method, path: spec.path, headers: { ...spec.headers }, body: spec.body };
    return serialize(spec.setupRequest ? spec.setupRequest(base) : base, host);
  };

  const idle: PacedConnection[] = [];
  const backlog: Issued[] = [];
  let stopping = false;
  let settle: (() => void) | undefined;
  const inFlight = new Set<PacedConnection>();

  const send = (conn: PacedConnection, request: Issued) => {
    conn.request = request;
    inFlight.add(conn);
    conn.socket.write(build());
    conn.sentAt = performance.now();
  };
  const release = (conn: PacedConnection) => {
    conn.request = null;
    inFlight.delete(conn);
    const next = backlog.shift();
    if (next !== undefined) send(conn, next);
    else idle.push(conn);
    if (stopping && inFlight.size === 0 && backlog.length === 0) settle?.();
  };

  const onData = (conn: PacedConnection, chunk: Buffer) => {
    conn.buffer = conn.buffer.length === 0 ? chunk : Buffer.concat([conn.buffer, chunk]);
    for (;;) {
      const headerEnd = conn.buffer.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      const head = conn.buffer.subarray(0, headerEnd).toString('latin1');
      const status = Number(head.slice(9, 12));
      const lower = head.toLowerCase();
      const lengthMatch = /\r\ncontent-length:\s*(\d+)/.exec(lower);
      if (!lengthMatch) {
        throw new Error(`paced load: an answer without Content-Length (chunked answers are not supported): ${head.slice(0, 200)}`);
      }
      const total = headerEnd + 4 + Number(lengthMatch[1]);
      if (conn.buffer.length < total) return;
      conn.buffer = conn.buffer.subarray(total);
      if (conn.request === null) throw new Error('paced load: an answer nobody asked for');
      const now = performance.now();
      samples.push(now - conn.request.issuedAt);
      fromDueSamples.push(now - conn.request.dueAt);
      serviceSamples.push(now - conn.sentAt);
      completed++;
      statusCounts[status] = (statusCounts[status] ?? 0) + 1;
      if (status !== spec.expectStatus) unexpected++;
      if (spec.method !== 'GET' && lower.includes('\r\nidempotent-replayed:')) replays++;
      release(conn);
    }
  };

  const connections = await Promise.all(
    Array.from({ length: options.connections }, () =>
      new Promise<PacedConnection>((resolve, reject) => {
        const socket = connect(port, url.hostname);
        socket.setNoDelay(true);
        const conn: PacedConnection = { socket, buffer: Buffer.alloc(0), request: null, sentAt: 0 };
        socket.once('connect', () => resolve(conn));
        socket.once('error', reject);
      }),
    ),
  );
  for (const conn of connections) {
    conn.socket.removeAllListeners('error');
    conn.socket.on('data', (chunk: Buffer) => onData(conn, chunk));
    conn.socket.on('error', () => {
      socketErrors++;
    });
    conn.socket.on('close', () => {
      if (conn.request !== null) {
        socketErrors++;
        conn.request = null;
        inFlight.delete(conn);
        if (stopping && inFlight.size === 0) settle?.();
      }
    });
    idle.push(conn);
  }

  const total = Math.round(options.rate * options.durationS);
  const interval = 1000 / options.rate;
  const start = performance.now();
  let issued = 0;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const issuedAt = performance.now();
      const due = Math.min(total, Math.floor((issuedAt - start) / interval) + 1);
      while (issued < due) {
        const request = { dueAt: start + issued * interval, issuedAt };
        lagSamples.push(issuedAt - request.dueAt);
        issued++;
        const conn = idle.pop();
        if (conn) send(conn, request);
        else backlog.push(request);
      }
      if (issued >= total) {
        clearInterval(timer);
        resolve();
      }
    }, 1);
  });
  const elapsed = (performance.now() - start) / 1000;
  stopping = true;
  if (inFlight.size > 0 || backlog.length > 0) {
    await new Promise<void>((resolve) => {
      settle = resolve;
      setTimeout(resolve, timeoutMs).unref();
    });
  }
  const timeouts = inFlight.size + backlog.length;
  for (const conn of connections) conn.socket.destroy();
  const pct = samples.percentiles();
  const service = serviceSamples.percentiles();
  const fromDue = fromDueSamples.percentiles();
  const lag = lagSamples.percentiles();
  return {
    tool: 'paced',
    connections: options.connections,
    durationS: options.durationS,
    targetRate: Math.round(options.rate),
    requests: completed,
    rps: round(completed / Math.max(elapsed, options.durationS), 1),
    p50: round(pct.p50, 3),
    p90: round(pct.p90, 3),
    p99: round(pct.p99, 3),
    max: round(pct.max, 3),
    errors: unexpected + socketErrors + timeouts + replays,
    service: { p50: round(service.p50, 3), p99: round(service.p99, 3) },
    fromDue: { p50: round(fromDue.p50, 3), p99: round(fromDue.p99, 3) },
    generatorLag: { p50: round(lag.p50, 3), p99: round(lag.p99, 3) },
    statusCounts,
    socketErrors,
    timeouts,
    replays,
  };
}
