// Peers, side by side in the same run on the same fixtures: Tether against websocketd (a process per
// WebSocket connection) and supergateway (stdio MCP servers over Streamable HTTP, one child per stateful
// session). For each: processes left 2 s after a client whose program has a grandchild and a setsid escapee
// drops its connection (RST); connect → first byte of the program's output (median of 50); bytes of one
// flooding stream over 5 s. Installs the peers itself (apt websocketd, npm supergateway into bench/.peers).
// Writes its section of BENCHMARKS.md. Run: npm run bench:peers
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { freePort } from './lib/free-port.ts';
import { machineLine } from './lib/machine.ts';
import { HttpStream } from './lib/peers/http-stream.ts';
import { installPeers, SUPERGATEWAY_BIN } from './lib/peers/install.ts';
import { killTagged, newTag, taggedPids } from './lib/peers/tagged.ts';
import { WsReader } from './lib/peers/ws-client.ts';
import { writeSection } from './lib/report.ts';
import { startServe } from './lib/serve-process.ts';
import { fmt, median, quantile } from './lib/stats.ts';

const LEAK_TRIALS = Number(process.env.BENCH_PEERS_LEAK_TRIALS ?? 3);
const LATENCY_TRIALS = Number(process.env.BENCH_PEERS_LATENCY_TRIALS ?? 50);
const FLOOD_S = Number(process.env.BENCH_PEERS_FLOOD_S ?? 5);
const FLOOD_RUNS = Number(process.env.BENCH_PEERS_FLOOD_RUNS ?? 3);
const FIX = fileURLToPath(new URL('../test/fixtures/peers/', import.meta.url));
const INIT = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-03-26', capabilities: {}, clientInfo: { name: 'bench', version: '1' } },
});
const MCP_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
const SSE_HEADERS = { 'content-type': 'application/json', accept: 'text/event-stream' };
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function listening(port: number, timeoutMs = 20_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const ok = await fetch(`http://127.0.0.1:${port}/`).then(
      () => true,
      () => false,
    );
    if (ok) return;
    if (performance.now() > deadline) throw new Error(`nothing listening on ${port}`);
    await sleep(50);
  }
}

/** A peer process on a free port; stop() ends it and anything it started that carries `tag`. */
const phase = (name: string): void => {
  process.stderr.write(`peers: ${name}\n`);
};

async function startPeer(
  argv: string[],
  tag: string,
): Promise<{ port: number; pid: number; stop(): Promise<void> }> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    argv[0] as string,
    [...argv.slice(1).map((a) => a.replace('PORT', String(port)))],
    {
      stdio: 'ignore',
    },
  );
  const exited = once(child, 'exit');
  await listening(port);
  return {
    port,
    pid: child.pid as number,
    async stop() {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
      killTagged(tag);
    },
  };
}

const websocketd = (program: string[], tag: string) =>
  startPeer(
    ['websocketd', '--port', 'PORT', '--address', '127.0.0.1', '--loglevel', 'fatal', ...program],
    tag,
  );
const supergateway = (program: string, tag: string) =>
  startPeer(
    [
      process.execPath,
      SUPERGATEWAY_BIN,
      '--stdio',
      program,
      '--outputTransport',
      'streamableHttp',
      '--stateful',
      '--port',
      'PORT',
      '--logLevel',
      'none',
    ],
    tag,
  );

/** Leftovers 2 s after an abrupt drop, per trial; the leftovers are then ended by the bench. */
async function leakTrials(
  tag: string,
  open: () => Promise<{ ready: Promise<unknown>; reset(): void }>,
  peerPid?: number,
): Promise<number[]> {
  const except = peerPid === undefined ? [] : [peerPid];
  const left: number[] = [];
  for (let i = 0; i < LEAK_TRIALS; i++) {
    const client = await open();
    await client.ready;
    await sleep(100);
    client.reset();
    await sleep(2000);
    left.push(taggedPids(tag, except).length);
    killTagged(tag, except);
    await sleep(100);
  }
  return left;
}

async function latencyTrials(measure: () => Promise<number>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < 5; i++) await measure();
  for (let i = 0; i < LATENCY_TRIALS; i++) out.push(await measure());
  return out;
}

/** Bytes per second of one stream over FLOOD_S seconds from its first byte, median of FLOOD_RUNS. */
async function floodTrials(
  open: () => Promise<{ bytes(): number; first: Promise<unknown>; reset(): void }>,
): Promise<number> {
  const rates: number[] = [];
  for (let i = 0; i < FLOOD_RUNS; i++) {
    const stream = await open();
    await stream.first;
    const start = stream.bytes();
    const t0 = performance.now();
    await sleep(FLOOD_S * 1000);
    rates.push((stream.bytes() - start) / ((performance.now() - t0) / 1000));
    stream.reset();
    await sleep(300);
  }
  return median(rates);
}

const versions = installPeers();
const tags = {
  tree: newTag(),
  mcp: newTag(),
  plain: newTag(),
  mflood: newTag(),
  wsTree: newTag(),
  sgTree: newTag(),
  sgPlain: newTag(),
  sgFlood: newTag(),
};
const tether = await startServe({
  limits: { max_output_bytes: 1e12, kill_grace_ms: 500, max_runs: 64, max_runs_per_client: 64 },
  backends: {
    tree: { type: 'command', argv: [`${FIX}tree-stream`, tags.tree], input: 'none', output: 'text' },
    echo: { type: 'command', argv: ['/bin/echo', 'hello'], input: 'none', output: 'text' },
    flood: { type: 'command', argv: [`${FIX}flood`], input: 'none', output: 'text' },
    mcp: { type: 'command', argv: [`${FIX}mcp-tree.mjs`, tags.mcp, 'tree'], input: 'stdin', output: 'text' },
    'mcp-plain': {
      type: 'command',
      argv: [`${FIX}mcp-tree.mjs`, tags.plain, 'plain'],
      input: 'stdin',
      output: 'text',
    },
    'mcp-flood': {
      type: 'command',
      argv: [`${FIX}mcp-tree.mjs`, tags.mflood, 'flood'],
      input: 'stdin',
      output: 'text',
    },
  },
});
const run = (backend: string, prompt = '', keepText = true) =>
  HttpStream.open(`${tether.url}/v1/runs`, {
    method: 'POST',
    headers: SSE_HEADERS,
    body: JSON.stringify({ backend, prompt: prompt ? `${prompt}\n` : '' }),
    keepText,
  });
/** Floods are counted, not kept: the first 200 ms are left out of the rate. */
const FLOOD_WARMUP_MS = 200;
/** The flood fixture's line: websocketd's `yes` child carries it on its command line. */
const FLOOD_LINE = '0123456789012345678901234567890123456789';

try {
  // Leftovers after an abrupt disconnect.
  const leak = {
    tether: await leakTrials(tags.tree, async () => {
      const s = await run('tree');
      return { ready: s.waitForText('ready'), reset: () => s.reset() };
    }),
    tetherMcp: await leakTrials(tags.mcp, async () => {
      const s = await run('mcp', INIT);
      return { ready: s.waitForText('pids'), reset: () => s.reset() };
    }),
  };
  phase('websocketd leftovers');
  const wsTree = await websocketd([`${FIX}tree-stream`, tags.wsTree], tags.wsTree);
  const leakWebsocketd = await leakTrials(
    tags.wsTree,
    async () => {
      const ws = await WsReader.open(wsTree.port);
      return { ready: ws.waitForText('ready'), reset: () => ws.reset() };
    },
    wsTree.pid,
  );
  await wsTree.stop();
  phase('supergateway leftovers');
  const sgTree = await supergateway(`${FIX}mcp-tree.mjs ${tags.sgTree} tree`, tags.sgTree);
  const leakSupergateway = await leakTrials(
    tags.sgTree,
    async () => {
      const s = await HttpStream.open(`http://127.0.0.1:${sgTree.port}/mcp`, {
        method: 'POST',
        headers: MCP_HEADERS,
        body: INIT,
      });
      return { ready: s.waitForText('pids'), reset: () => s.reset() };
    },
    sgTree.pid,
  );
  await sgTree.stop();

  // Connect → first byte of the program's output.
  const latency = {
    tether: await latencyTrials(async () => {
      const t0 = performance.now();
      const s = await run('echo');
      const at = await s.waitForText('hello');
      s.reset();
      return at - t0;
    }),
    tetherMcp: await latencyTrials(async () => {
      const t0 = performance.now();
      const s = await run('mcp-plain', INIT);
      const at = await s.waitForText('pids');
      s.reset();
      return at - t0;
    }),
    websocketd: [] as number[],
    supergateway: [] as number[],
  };
  phase('websocketd first byte');
  const wsEcho = await websocketd(['/bin/echo', 'hello'], 'no-tag-echo');
  latency.websocketd = await latencyTrials(async () => {
    const t0 = performance.now();
    const ws = await WsReader.open(wsEcho.port);
    const at = await ws.waitForText('hello');
    ws.reset();
    return at - t0;
  });
  await wsEcho.stop();
  phase('supergateway first byte');
  const sgPlain = await supergateway(`${FIX}mcp-tree.mjs ${tags.sgPlain} plain`, tags.sgPlain);
  latency.supergateway = await latencyTrials(async () => {
    const t0 = performance.now();
    const s = await HttpStream.open(`http://127.0.0.1:${sgPlain.port}/mcp`, {
      method: 'POST',
      headers: MCP_HEADERS,
      body: INIT,
    });
    const at = await s.waitForText('pids');
    const session = s.headers['mcp-session-id'];
    s.reset();
    if (typeof session === 'string')
      await fetch(`http://127.0.0.1:${sgPlain.port}/mcp`, {
        method: 'DELETE',
        headers: { 'mcp-session-id': session },
      }).catch(() => {});
    return at - t0;
  });
  await sgPlain.stop();

  // One flooding stream.
  const flood = {
    tether: await floodTrials(async () => {
      const s = await run('flood', '', false);
      return { bytes: () => s.bytes, first: sleep(FLOOD_WARMUP_MS), reset: () => s.reset() };
    }),
    tetherMcp: await floodTrials(async () => {
      const s = await run('mcp-flood', INIT, false);
      return { bytes: () => s.bytes, first: sleep(FLOOD_WARMUP_MS), reset: () => s.reset() };
    }),
    websocketd: 0,
    supergateway: 0,
  };
  phase('websocketd flood');
  const wsFlood = await websocketd([`${FIX}flood`], 'no-tag-flood');
  flood.websocketd = await floodTrials(async () => {
    const ws = await WsReader.open(wsFlood.port, '/', false);
    return { bytes: () => ws.bytes, first: sleep(FLOOD_WARMUP_MS), reset: () => ws.reset() };
  });
  await wsFlood.stop();
  killTagged(FLOOD_LINE);
  phase('supergateway flood');
  const sgFlood = await supergateway(`${FIX}mcp-tree.mjs ${tags.sgFlood} flood`, tags.sgFlood);
  flood.supergateway = await floodTrials(async () => {
    const init = await HttpStream.open(`http://127.0.0.1:${sgFlood.port}/mcp`, {
      method: 'POST',
      headers: MCP_HEADERS,
      body: INIT,
    });
    await init.waitForText('pids');
    const session = String(init.headers['mcp-session-id']);
    const s = await HttpStream.open(`http://127.0.0.1:${sgFlood.port}/mcp`, {
      headers: { accept: 'text/event-stream', 'mcp-session-id': session },
      keepText: false,
    });
    return {
      bytes: () => s.bytes + init.bytes,
      first: sleep(FLOOD_WARMUP_MS),
      reset: () => {
        s.reset();
        init.reset();
      },
    };
  });
  await sgFlood.stop();

  const left = (xs: number[]) => `${median(xs)} (trials: ${xs.join(', ')})`;
  const ms = (xs: number[]) => `${fmt(median(xs), 2)} ms (p90 ${fmt(quantile(xs, 0.9), 2)})`;
  const mbs = (x: number) => `${fmt(x / 1e6)} MB/s`;
  const ratio = (a: number, b: number) => `${fmt(a / b, 2)}×`;
  const body = `## Peers: websocketd and supergateway

\`npm run bench:peers\` — ${new Date().toISOString().slice(0, 10)}, ${machineLine()}. ${versions.websocketd}, ${versions.supergateway}
(stdio → Streamable HTTP, \`--stateful\`: one child per session; its default SSE mode shares one child among all
clients, so it has no per-connection process to compare). Tether: \`tether serve\` (keeper + server, from source
under tsx), streaming runs over SSE. Same fixtures in \`test/fixtures/peers/\`, same run, one client at a time.
Tether has no MCP endpoint yet: its MCP rows run the same stdio server as a run (the \`initialize\` request as the
prompt on stdin) and stream its answers over SSE.

**Processes left 2 s after the client drops the connection (RST)**; the program leaves a grandchild and a setsid
escapee (3 processes; supergateway adds its \`sh -c\`). Median of ${LEAK_TRIALS} trials; the bench ends the leftovers.

| program | Tether | peer |
| --- | --- | --- |
| \`tree-stream\` over WebSocket (websocketd) / SSE (Tether) | ${left(leak.tether)} | websocketd: ${left(leakWebsocketd)} |
| \`mcp-tree.mjs\` MCP session (supergateway) / run (Tether) | ${left(leak.tetherMcp)} | supergateway: ${left(leakSupergateway)} |

**Connect → first byte of the program's output**, median of ${LATENCY_TRIALS} (lower is better):

| program | Tether | peer | Tether / peer |
| --- | --- | --- | --- |
| \`/bin/echo hello\` | ${ms(latency.tether)} | websocketd: ${ms(latency.websocketd)} | ${ratio(median(latency.tether), median(latency.websocketd))} |
| \`mcp-tree.mjs\` answering \`initialize\` | ${ms(latency.tetherMcp)} | supergateway: ${ms(latency.supergateway)} | ${ratio(median(latency.tetherMcp), median(latency.supergateway))} |

**One flooding stream for ${FLOOD_S} s**, bytes on the wire per second, median of ${FLOOD_RUNS} (higher is better):

| program | Tether | peer | Tether / peer |
| --- | --- | --- | --- |
| \`yes\` (80-byte lines) | ${mbs(flood.tether)} | websocketd: ${mbs(flood.websocketd)} | ${ratio(flood.tether, flood.websocketd)} |
| \`mcp-tree.mjs flood\` (JSON-RPC notifications) | ${mbs(flood.tetherMcp)} | supergateway: ${mbs(flood.supergateway)} | ${ratio(flood.tetherMcp, flood.supergateway)} |

Wire bytes include each protocol's framing: SSE \`data:\` lines with JSON-escaped chunks for Tether, WebSocket
frames for websocketd, SSE \`message\` events for supergateway.
`;
  process.stdout.write(body);
  writeSection('peers', body);
} finally {
  await tether.stop();
  for (const tag of Object.values(tags)) killTagged(tag);
}
// Clients' keep-alive sockets (fetch's pool) would hold the process open for their idle timeout.
process.exit(process.exitCode ?? 0);
