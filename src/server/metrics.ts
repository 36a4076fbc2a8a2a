/**
 * Prometheus metrics in the text exposition format (version 0.0.4): a counter of requests by
 * route, method and status, a histogram of their durations, and gauges read at scrape time.
 * Small enough to keep here rather than depend on a client library.
 */
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

type Labels = Readonly<Record<string, string>>;

function labelText(labels: Labels): string {
  const entries = Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (entries.length === 0) return '';
  const escape = (value: string) =>
    value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
  return `{${entries.map(([key, value]) => `${key}="${escape(value)}"`).join(',')}}`;
}

export class Metrics {
  private readonly requests = new Map<string, { labels: Labels; count: number }>();
  private readonly durations = new Map<
    string,
    { labels: Labels; buckets: number[]; sum: number; count: number }
  >();
  private readonly counters = new Map<string, { help: string; value: number }>();
  private readonly gauges = new Map<string, { help: string; read: () => Promise<number> }>();
  private readonly labeledGauges = new Map<
    string,
    { help: string; read: () => Promise<readonly { labels: Labels; value: number }[]> }
  >();

  observeRequest(method: string, route: string, status: number, seconds: number): void {
    const labels = { method, route, status: String(status) };
    const key = labelText(labels);
    const request = this.requests.get(key) ?? { labels, count: 0 };
    request.count++;
    this.requests.set(key, request);
    const durationLabels = { method, route };
    const durationKey = labelText(durationLabels);
    const duration = this.durations.get(durationKey) ?? {
      labels: durationLabels,
      buckets: BUCKETS.map(() => 0),
      sum: 0,
      count: 0,
    };
    BUCKETS.forEach((bound, index) => {
      if (seconds <= bound) duration.buckets[index] = (duration.buckets[index] ?? 0) + 1;
    });
    duration.sum += seconds;
    duration.count++;
    this.durations.set(durationKey, duration);
  }

  /** A counter of something the service did (offers lapsed, plans made). */
  count(name: string, help: string, by = 1): void {
    const counter = this.counters.get(name) ?? { help, value: 0 };
    counter.value += by;
    this.counters.set(name, counter);
  }

  /** A gauge read when scraped (open offers, late deliveries). */
  gauge(name: string, help: string, read: () => Promise<number>): void {
    this.gauges.set(name, { help, read });
  }

  /** A gauge with a value per label set (GPUs healthy per site), read when scraped. */
  labeledGauge(
    name: string,
    help: string,
    read: () => Promise<readonly { labels: Labels; value: number }[]>,
  ): void {
    this.labeledGauges.set(name, { help, read });
  }

  async render(): Promise<string> {
    const lines: string[] = [
      '# HELP stargate_http_requests_total HTTP requests by route, method and status.',
      '# TYPE stargate_http_requests_total counter',
    ];
    for (const [key, { count }] of [...this.requests].sort(([a], [b]) => (a < b ? -1 : 1))) {
      lines.push(`stargate_http_requests_total${key} ${count}`);
    }
    lines.push(
      '# HELP stargate_http_request_duration_seconds Time to answer, by route and method.',
      '# TYPE stargate_http_request_duration_seconds histogram',
    );
    for (const [, d] of [...this.durations].sort(([a], [b]) => (a < b ? -1 : 1))) {
      BUCKETS.forEach((bound, index) => {
        lines.push(
          `stargate_http_request_duration_seconds_bucket${labelText({ ...d.labels, le: String(bound) })} ${d.buckets[index] ?? 0}`,
        );
      });
      lines.push(
        `stargate_http_request_duration_seconds_bucket${labelText({ ...d.labels, le: '+Inf' })} ${d.count}`,
        `stargate_http_request_duration_seconds_sum${labelText(d.labels)} ${d.sum}`,
        `stargate_http_request_duration_seconds_count${labelText(d.labels)} ${d.count}`,
      );
    }
    for (const [name, { help, value }] of [...this.counters].sort(([a], [b]) => (a < b ? -1 : 1))) {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`, `${name} ${value}`);
    }
    for (const [name, { help, read }] of [...this.gauges].sort(([a], [b]) => (a < b ? -1 : 1))) {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`, `${name} ${await read()}`);
    }
    const labeled = [...this.labeledGauges].sort(([a], [b]) => (a < b ? -1 : 1));
    for (const [name, { help, read }] of labeled) {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`);
      const samples = (await read()).map((s) => `${name}${labelText(s.labels)} ${s.value}`);
      lines.push(...samples.sort());
    }
    return `${lines.join('\n')}\n`;
  }
}
