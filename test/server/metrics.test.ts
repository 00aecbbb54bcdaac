import '../helpers/subreaper.ts';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { identitiesOf, survivorsAfter } from '../helpers/processes.ts';
import { type Family, parsePrometheusText, sampleValue } from '../helpers/prometheus-text.ts';
import { startTestServer } from '../helpers/server.ts';
import { SseStream } from '../helpers/sse-client.ts';

type Families = Map<string, Family>;

async function scrape(url: string): Promise<{ text: string; families: Families; contentType: string }> {
  const response = await fetch(`${url}/metrics`);
  assert.equal(response.status, 200);
  const text = await response.text();
  return {
    text,
    families: parsePrometheusText(text),
    contentType: response.headers.get('content-type') ?? '',
  };
}

/** A counter or gauge sample, or a histogram's count (`name` without the suffix). */
function value(families: Families, name: string, labels: Record<string, string> = {}): number {
  return families.get(name)?.type === 'histogram'
    ? sampleValue(families, `${name}_count`, labels)
    : sampleValue(families, name, labels);
}

test('/metrics is valid Prometheus text, and its counters move with real runs', async (t) => {
  const server = await startTestServer(t);
  const before = await scrape(server.url);
  assert.match(before.contentType, /^text\/plain; version=0\.0\.4/);
  for (const name of [
    'process_resident_memory_bytes',
    'nodejs_eventloop_lag_seconds',
    'tether_children_live',
    'tether_runs_total',
    'tether_run_duration_seconds',
    'tether_teardown_duration_seconds',
    'tether_escapees_killed_total',
    'tether_zombies_reaped_total',
    'tether_event_loop_stall_seconds_total',
    'tether_memory_used_bytes',
    'tether_memory_limit_bytes',
    'tether_queue_depth',
    'tether_http_requests_total',
  ]) {
    const family = before.families.get(name);
    assert.ok(family, `${name} is missing`);
    assert.ok(family.help.length > 0, `${name} has no HELP`);
  }
  assert.ok(value(before.families, 'tether_memory_used_bytes') > 0);

  const backend = 'spawn-setsid-grandchild';
  const runs = 3;
  const trees = [];
  for (let i = 0; i < runs; i++) {
    const stream = await SseStream.open(`${server.url}/v1/runs`, {
      method: 'POST',
      body: { backend, prompt: '' },
    });
    const start = (await stream.waitForType('start')).data;
    await stream.waitFor(() => stream.stdout().includes('ready'));
    const grandchildren = [...stream.stdout().matchAll(/^grandchild (\d+)$/gm)].map((m) => Number(m[1]));
    trees.push({ stream, identities: identitiesOf([start.pid as number, ...grandchildren]) });
  }
  const during = await scrape(server.url);
  assert.equal(value(during.families, 'tether_children_live', { backend }), runs);

  for (const { stream } of trees) stream.abort();
  for (const { identities } of trees) assert.deepEqual(await survivorsAfter(identities), []);
  // Runs are counted once their trees are gone; poll (bounded) for the last one.
  const deadline = Date.now() + 5000;
  let after = await scrape(server.url);
  while (
    value(after.families, 'tether_runs_total', { backend, reason: 'disconnected' }) < runs &&
    Date.now() < deadline
  ) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    after = await scrape(server.url);
  }
  const delta = (name: string, labels: Record<string, string> = {}): number =>
    value(after.families, name, labels) - value(before.families, name, labels);
  assert.equal(delta('tether_runs_total', { backend, reason: 'disconnected' }), runs);
  assert.equal(delta('tether_run_duration_seconds', { backend }), runs);
  assert.ok(delta('tether_teardown_duration_seconds') >= runs, after.text);
  assert.ok(delta('tether_escapees_killed_total') >= runs, 'each run had a setsid escapee to end');
  assert.equal(
    delta('tether_http_requests_total', { route: '/v1/runs', method: 'POST', status: '200' }),
    runs,
  );
  assert.ok(delta('tether_http_requests_total', { route: '/metrics', method: 'GET', status: '200' }) >= 2);
  assert.equal(value(after.families, 'tether_children_live', { backend }), 0);
  assert.equal(value(after.families, 'tether_queue_depth'), 0);
});

test('requests to unknown routes are counted under one label, not one per path', async (t) => {
  const server = await startTestServer(t);
  for (const path of ['/nope/1', '/nope/2', '/nope/3'])
    assert.equal((await fetch(`${server.url}${path}`)).status, 404);
  const { families } = await scrape(server.url);
  const http = families.get('tether_http_requests_total');
  const routes = new Set(http?.samples.map((m) => m.labels.route));
  assert.ok(routes.has('unmatched'));
  assert.ok(![...routes].some((route) => route?.startsWith('/nope')), [...routes].join());
  assert.ok(value(families, 'tether_http_requests_total', { route: 'unmatched', status: '404' }) >= 3);
});
