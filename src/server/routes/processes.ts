import type { FastifyInstance } from 'fastify';
import type { HealthMonitor } from '../../health/monitor.ts';
import { processesBody } from '../../health/processes.ts';
import type { ProcessRegistry } from '../../process/index.ts';

/** GET /v1/processes: every owner's live tree (what `tether ps` prints). */
export function processRoutes(app: FastifyInstance, registry: ProcessRegistry, health: HealthMonitor): void {
  app.get('/v1/processes', async () => processesBody(registry, health.leaks.last.unowned));
}
