import type { FastifyInstance } from 'fastify';
import type { Metrics } from '../../health/metrics.ts';
import type { HealthMonitor } from '../../health/monitor.ts';

/**
 * Liveness, readiness and metrics on the main port. They need no token: a watchdog or a scraper
 * must reach them, and they carry no run content (see docs/health.md).
 */
export function healthRoutes(app: FastifyInstance, health: HealthMonitor, metrics: Metrics): void {
  app.get('/healthz', async (_request, reply) => {
    const body = health.liveness();
    return reply
      .code(body.status === 'ok' ? 200 : 503)
      .header('cache-control', 'no-store')
      .send(body);
  });
  app.get('/readyz', async (_request, reply) => {
    const body = health.readiness();
    return reply
      .code(body.status === 'ready' ? 200 : 503)
      .header('cache-control', 'no-store')
      .send(body);
  });
  app.get('/metrics', async (_request, reply) => {
    const text = await metrics.text();
    return reply.type(metrics.contentType).header('cache-control', 'no-store').send(text);
  });
}
