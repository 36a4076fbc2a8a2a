import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PrometheusTextError, parsePrometheusText } from './prometheus-text.js';

const DCGM = readFileSync(new URL('./fixtures/dcgm-exporter-h100.prom', import.meta.url), 'utf8');

describe('parsePrometheusText', () => {
  it('reads HELP, TYPE and labelled samples', () => {
    const text = [
      '# HELP http_requests_total The total number of HTTP requests.',
      '# TYPE http_requests_total counter',
      'http_requests_total{method="post",code="200"} 1027 1395066363000',
      'http_requests_total{method="post",code="400"}    3 1395066363000',
      '',
    ].join('\n');
    expect(parsePrometheusText(text)).toEqual([
      {
        name: 'http_requests_total',
        type: 'counter',
        help: 'The total number of HTTP requests.',
        samples: [
          {
            name: 'http_requests_total',
            labels: { method: 'post', code: '200' },
            value: 1027,
            timestamp: 1395066363000,
          },
          {
            name: 'http_requests_total',
            labels: { method: 'post', code: '400' },
            value: 3,
            timestamp: 1395066363000,
          },
        ],
      },
    ]);
  });

  it('unescapes label values and help text', () => {
    const text = [
      '# HELP msdos_file_access_time_seconds Time with a \\\\ and a\\nnewline.',
      'msdos_file_access_time_seconds{path="C:\\\\DIR\\\\FILE.TXT",error="Cannot find file:\\n\\"FILE.TXT\\""} 1.458255915e9',
    ].join('\n');
    const [family] = parsePrometheusText(text);
    expect(family?.help).toBe('Time with a \\ and a\nnewline.');
    expect(family?.type).toBe('untyped');
    expect(family?.samples[0]?.labels).toEqual({
      path: 'C:\\DIR\\FILE.TXT',
      error: 'Cannot find file:\n"FILE.TXT"',
    });
    expect(family?.samples[0]?.value).toBe(1458255915);
  });

  it('takes blanks between tokens, a trailing comma, empty braces and no labels', () => {
    const text = 'a { x = "1" , y="2", } 1\nb{} 2\nc\t3\t-5\n';
    expect(parsePrometheusText(text).map((f) => f.samples[0])).toEqual([
      { name: 'a', labels: { x: '1', y: '2' }, value: 1 },
      { name: 'b', labels: {}, value: 2 },
      { name: 'c', labels: {}, value: 3, timestamp: -5 },
    ]);
  });

  it('reads NaN, infinities and scientific notation', () => {
    const text =
      'v{k="nan"} NaN\nv{k="pinf"} +Inf\nv{k="ninf"} -Inf\nv{k="exp"} -1.5E-3\nv{k="dot"} .5\n';
    const values = parsePrometheusText(text)[0]?.samples.map((s) => s.value);
    expect(values).toEqual([NaN, Infinity, -Infinity, -0.0015, 0.5]);
  });

  it('groups histogram and summary samples under their family', () => {
    const text = [
      '# TYPE rpc_seconds histogram',
      'rpc_seconds_bucket{le="0.1"} 8',
      'rpc_seconds_bucket{le="+Inf"} 10',
      'rpc_seconds_sum 1.7',
      'rpc_seconds_count 10',
      '# TYPE gc_seconds summary',
      'gc_seconds{quantile="0.5"} 0.02',
      'gc_seconds_sum 3.5',
      'gc_seconds_count 120',
      'gc_seconds_bucket 1',
    ].join('\n');
    const families = parsePrometheusText(text);
    expect(families.map((f) => [f.name, f.type, f.samples.map((s) => s.name)])).toEqual([
      [
        'rpc_seconds',
        'histogram',
        ['rpc_seconds_bucket', 'rpc_seconds_bucket', 'rpc_seconds_sum', 'rpc_seconds_count'],
      ],
      ['gc_seconds', 'summary', ['gc_seconds', 'gc_seconds_sum', 'gc_seconds_count']],
      // A summary has no buckets: such a sample is a family of its own.
      ['gc_seconds_bucket', 'untyped', ['gc_seconds_bucket']],
    ]);
    expect(families[0]?.samples[1]?.labels).toEqual({ le: '+Inf' });
  });

  it('ignores other comments, blank lines and carriage returns', () => {
    const text = '# a comment\r\n\r\n#HELP-ish words\r\n   \r\nup 1\r\n# TYPE down gauge\r\n';
    expect(parsePrometheusText(text)).toEqual([
      { name: 'up', type: 'untyped', samples: [{ name: 'up', labels: {}, value: 1 }] },
      { name: 'down', type: 'gauge', samples: [] },
    ]);
  });

  it('reads the DCGM exporter fixture', () => {
    const families = parsePrometheusText(DCGM);
    expect(families).toHaveLength(31);
    expect(families.every((f) => f.samples.length === 2 && f.help !== undefined)).toBe(true);
    const xid = families.find((f) => f.name === 'DCGM_FI_DEV_XID_ERRORS');
    expect(xid?.type).toBe('gauge');
    expect(xid?.help).toBe('Value of the last XID error encountered.');
    expect(xid?.samples[1]).toEqual({
      name: 'DCGM_FI_DEV_XID_ERRORS',
      labels: {
        gpu: '1',
        UUID: 'GPU-c71e2b9d-0f43-4e8a-b6d5-2a9c8e1f7b30',
        pci_bus_id: '00000000:2A:00.0',
        device: 'nvidia1',
        modelName: 'NVIDIA H100 80GB HBM3',
        hostname: 'gpu-node-07',
        DCGM_FI_DRIVER_VERSION: '580.159.04',
        err_code: '79',
        err_msg: 'GPU has fallen off the bus',
      },
      value: 79,
    });
  });
});

describe('parsePrometheusText refuses malformed text, naming the line', () => {
  const cases: readonly (readonly [string, string])[] = [
    [
      'up 1\nx{a="1"}\n',
      'line 2: expected a blank before the value of x, found the end of the line',
    ],
    ['x{a="1"} abc', "line 1: expected a number, NaN, +Inf or -Inf, found 'abc'"],
    ['x 1 1.5', "line 1: expected a timestamp in milliseconds, found '1.5'"],
    ['x 1 2 3', 'line 1: expected the end of the line after the timestamp'],
    ['x{a="1} 2', 'line 1: the value of a is never closed'],
    ['x{a="\\t"} 2', "line 1: invalid escape '\\t' in the value of a"],
    ['x{a} 2', "line 1: expected '=' after the label a, found '}'"],
    ['x{a="1" b="2"} 2', "line 1: expected ',' or '}' after the value of a, found 'b'"],
    ['x{a="1",a="2"} 2', 'line 1: the label a given twice'],
    ['x{1a="1"} 2', "line 1: expected a label name or '}', found '1'"],
    ['x{a=1} 2', `line 1: expected '"' to open the value of a, found '1'`],
    ['1x 2', "line 1: expected a metric name, found '1'"],
    ['x', "line 1: expected '{' or a blank after x, found the end of the line"],
    ['x{a="1"}', 'line 1: expected a blank before the value of x, found the end of the line'],
    [
      '# TYPE x gaugee',
      "line 1: expected one of counter, gauge, histogram, summary, untyped, found 'gaugee'",
    ],
    ['# TYPE x', 'line 1: expected a blank before the metric type, found the end of the line'],
    ['# TYPE x gauge extra', 'line 1: expected the end of the line after the type of x'],
    ['# TYPE x gauge\n# TYPE x counter', 'line 2: a second TYPE line for x'],
    ['x 1\n# TYPE x gauge', 'line 2: TYPE for x after its samples'],
    ['# HELP x a\n# HELP x b', 'line 2: a second HELP line for x'],
    ['# HELP x bad \\q', "line 1: invalid escape '\\q' in the help text"],
    ['# HELP', 'line 1: expected a blank after # HELP, found the end of the line'],
  ];

  it.each(cases)('%j', (text, message) => {
    expect(() => parsePrometheusText(text)).toThrow(PrometheusTextError);
    expect(() => parsePrometheusText(text)).toThrow(message);
  });

  it('carries the line number', () => {
    try {
      parsePrometheusText('up 1\n\n\nup{ 2\n');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(PrometheusTextError);
      expect((error as PrometheusTextError).line).toBe(4);
    }
  });
});
