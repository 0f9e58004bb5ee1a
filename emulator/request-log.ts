/** What the admin API reports under `/_emulator/requests`: exact counters, bounded entries. */
export interface RequestLogEntry {
  method: string;
  path: string;
  status: number;
  mailbox: string | null;
  ms: number;
}

/**
 * Round trips and operations told apart (GET /_emulator/traffic): `operations` are Graph requests
 * as the throttling model counts them (each `$batch` item, each single request), `httpRequests`
 * are HTTP exchanges with the Graph and token endpoints (admin calls excluded).
 */
export interface Traffic {
  httpRequests: number;
  operations: number;
  throttledOperations: number;
  batchCalls: number;
  tokenRequests: number;
}

function emptyTraffic(): Traffic {
  return { httpRequests: 0, operations: 0, throttledOperations: 0, batchCalls: 0, tokenRequests: 0 };
}

export class RequestLog {
  private entries: RequestLogEntry[] = [];
  private start = 0;
  private total = 0;
  private byStatus: Record<string, number> = {};
  private traffic = emptyTraffic();

  constructor(private readonly capacity = 100_000) {}

  add(entry: RequestLogEntry): void {
    this.total += 1;
    const key = String(entry.status);
    this.byStatus[key] = (this.byStatus[key] ?? 0) + 1;
    if (entry.path.endsWith('/$batch')) this.traffic.batchCalls += 1;
    else if (entry.path.includes('/oauth2/')) this.traffic.tokenRequests += 1;
    else {
      this.traffic.operations += 1;
      if (entry.status === 429) this.traffic.throttledOperations += 1;
    }
    this.entries.push(entry);
    // Drop the oldest in chunks so a long run stays O(1) amortised per request.
    if (this.entries.length - this.start > this.capacity) this.start += 1;
    if (this.start > this.capacity) {
      this.entries = this.entries.slice(this.start);
      this.start = 0;
    }
  }

  clear(): void {
    this.entries = [];
    this.start = 0;
    this.total = 0;
    this.byStatus = {};
    this.traffic = emptyTraffic();
  }

  /** One HTTP exchange reached the server (a `$batch` call is one, however many items it carries). */
  countHttp(): void {
    this.traffic.httpRequests += 1;
  }

  trafficSnapshot(): Traffic {
    return { ...this.traffic };
  }

  snapshot(): { total: number; byStatus: Record<string, number>; entries: RequestLogEntry[] } {
    return { total: this.total, byStatus: { ...this.byStatus }, entries: this.entries.slice(this.start) };
  }
}
