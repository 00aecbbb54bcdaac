import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePrometheusText, sampleValue } from '../helpers/prometheus-text.ts';

// The parser /metrics is checked with must itself reject what Prometheus would reject.

test('parses counters, gauges with NaN, labels with escapes, and consistent histograms', () => {
  const families = parsePrometheusText(
    [
      '# HELP a_total things',
      '# TYPE a_total counter',
      'a_total{path="x\\"y\\\\z",code="200"} 3',
      '# TYPE g gauge',
      'g Nan',
      '# TYPE h histogram',
      'h_bucket{le="1",backend="a"} 1',
      'h_bucket{le="+Inf",backend="a"} 2',
      'h_sum{backend="a"} 3.5',
      'h_count{backend="a"} 2',
      '',
    ].join('\n'),
  );
  assert.equal(sampleValue(families, 'a_total', { path: 'x"y\\z' }), 3);
  assert.ok(Number.isNaN(sampleValue(families, 'g')));
  assert.equal(sampleValue(families, 'h_count', { backend: 'a' }), 2);
});

test('rejects malformed expositions', () => {
  const bad = [
    'x 1\n', // no TYPE
    '# TYPE x counter\nx one\n',
    '# TYPE x counter\nx{a="1} 1\n',
    '# TYPE x counter\nx{1a="1"} 1\n',
    '# TYPE x counter\nx 1', // no final newline
    '# TYPE x histogram\nx_bucket{le="1"} 2\nx_bucket{le="+Inf"} 1\nx_count 1\nx_sum 1\n',
    '# TYPE x histogram\nx_bucket{le="+Inf"} 2\nx_count 3\nx_sum 1\n',
  ];
  for (const text of bad) assert.throws(() => parsePrometheusText(text), Error, JSON.stringify(text));
});
