// The client side of bench/runs-api.ts, in its own process so the server's event loop and RSS are its own.
//   latency URL BACKEND N   → {"firstByte":[ms…],"firstOutput":[ms…]}: POST → first response byte / first stdout event
//   flood URL BACKEND       → {"bytes":n,"ms":t}: stdout payload bytes streamed until `exit`
//   hold URL BACKEND N      → {"ready":n} once every stream has output; closes them all when stdin ends
import { Agent, request } from 'node:http';

const [mode, url, backend, countText] = process.argv.slice(2);
const count = Number(countText ?? 1);
const agent = new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });

interface Stream {
  readonly done: Promise<void>;
  close(): void;
}

/** Opens one streamed run; calls onFrame with each raw SSE frame. */
function open(onFrame: (frame: string) => void, onFirstByte: () => void): Stream {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const req = request(`${url}/v1/runs`, {
    method: 'POST',
    agent,
    headers: { accept: 'text/event-stream', 'content-type': 'application/json' },
  });
  req.on('error', () => finish());
  req.on('response', (res) => {
    let buffer = '';
    let first = true;
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      if (first) {
        first = false;
        onFirstByte();
      }
      buffer += chunk;
      for (let at = buffer.indexOf('\n\n'); at >= 0; at = buffer.indexOf('\n\n')) {
        onFrame(buffer.slice(0, at));
        buffer = buffer.slice(at + 2);
      }
    });
    res.on('close', () => finish());
  });
  req.end(JSON.stringify({ backend, prompt: '' }));
  return { done, close: () => req.destroy() };
}

function payload(frame: string): { type: string; data?: string } | undefined {
  const line = frame.split('\n').find((l) => l.startsWith('data: '));
  return line ? JSON.parse(line.slice(6)) : undefined;
}

async function latency(): Promise<void> {
  const firstByte: number[] = [];
  const firstOutput: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    let seen = false;
    const stream = open(
      (frame) => {
        if (!seen && frame.includes('event: stdout')) {
          seen = true;
          firstOutput.push(performance.now() - started);
        }
      },
      () => firstByte.push(performance.now() - started),
    );
    await stream.done;
  }
  process.stdout.write(`${JSON.stringify({ firstByte, firstOutput })}\n`);
}

async function flood(): Promise<void> {
  let bytes = 0;
  const started = performance.now();
  const stream = open(
    (frame) => {
      if (!frame.includes('event: stdout')) return;
      bytes += Buffer.byteLength(payload(frame)?.data ?? '');
    },
    () => {},
  );
  await stream.done;
  process.stdout.write(`${JSON.stringify({ bytes, ms: performance.now() - started })}\n`);
}

async function hold(): Promise<void> {
  let ready = 0;
  const streams: Stream[] = [];
  for (let i = 0; i < count; i++) {
    let seen = false;
    streams.push(
      open(
        (frame) => {
          if (seen || !frame.includes('event: stdout')) return;
          seen = true;
          if (++ready === count) process.stdout.write(`${JSON.stringify({ ready })}\n`);
        },
        () => {},
      ),
    );
  }
  process.stdin.resume();
  await new Promise((resolve) => process.stdin.once('end', resolve));
  for (const stream of streams) stream.close();
  await Promise.all(streams.map((s) => s.done));
}

await (mode === 'latency' ? latency() : mode === 'flood' ? flood() : hold());
agent.destroy();
