import type { FastifyInstance } from 'fastify';
import { TetherError } from '../../errors.ts';

const MAX_WEDGE_MS = 10_000;

/**
 * Test-only routes, registered only when the server is started with test hooks on
 * (TETHER_TEST_HOOKS=1): POST /debug/wedge {"ms": n} blocks the main event loop for n ms, so
 * tests can prove the health thread reports a stall while the main loop cannot answer.
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
}
