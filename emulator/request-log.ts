/** What the admin API reports under `/_emulator/requests`: exact counters, bounded entries. */
export interface RequestLogEntry {
  method: string;
  path: string;
  status: number;
  mailbox: string | null;
  ms: number;
}

export class RequestLog {
  private entries: RequestLogEntry[] = [];
  private start = 0;
  private total = 0;
  private byStatus: Record<string, number> = {};

  constructor(private readonly capacity = 100_000) {}

  add(entry: RequestLogEntry): void {
    this.total += 1;
    const key = String(entry.status);
    this.byStatus[key] = (this.byStatus[key] ?? 0) + 1;
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
  }

  snapshot(): { total: number; byStatus: Record<string, number>; entries: RequestLogEntry[] } {
    return { total: this.total, byStatus: { ...this.byStatus }, entries: this.entries.slice(this.start) };
  }
}
