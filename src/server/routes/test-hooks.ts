import v8 from 'node:v8';
import vm from 'node:vm';
import type { FastifyInstance } from 'fastify';
import { TetherError } from '../../errors.ts';

const MAX_WEDGE_MS = 10_000;

/**
 * Test-only routes, registered only when the server is started with test hooks on
 * (TETHER_TEST_HOOKS=1): POST /debug/wedge {"ms": n} blocks the main event loop for n ms, so
 * tests can prove the health thread reports a stall while the main loop cannot answer; POST /debug/gc
 * runs a full garbage collection and answers with the memory figures after it, so a soak compares
 * what the server retains rather than where its collector happened to be.
 */
export function testHookRoutes(app: FastifyInstance): void {
  app.post('/debug/wedge', async (request) => {
    const ms = (request.body as { ms?: unknown } | undefined)?.ms;
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0 || ms > MAX_WEDGE_MS)
      throw new TetherError('ERR_BAD_REQUEST', `ms must be a number in [0, ${MAX_WEDGE_MS}]`);
    // Answer first, then wedge: the client is not left waiting on the loop it asked to block.
    setImmediate(() => {
      const until = performance.now() + ms;
      while (performance.now() < until) {
        // busy: this is the point
      }
    });
    return { wedging_ms: ms };
  });

  app.post('/debug/gc', async () => {
    const gc = collector();
    gc();
    gc();
    const memory = process.memoryUsage();
    return { rss_bytes: memory.rss, heap_used_bytes: memory.heapUsed, heap_total_bytes: memory.heapTotal };
  });
}

let exposed: (() => void) | undefined;

/** V8's full collector, exposed on first use (the flag applies to contexts made after it is set). */
function collector(): () => void {
  if (!exposed) {
    v8.setFlagsFromString('--expose-gc');
    exposed = vm.runInNewContext('gc') as () => void;
  }
  return exposed;
}
