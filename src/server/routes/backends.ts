import type { FastifyInstance } from 'fastify';
import { findBinary } from '../../backends/find-binary.ts';
import type { Backend } from '../../backends/types.ts';

export function backendRoutes(app: FastifyInstance, backends: ReadonlyMap<string, Backend>): void {
  app.get('/v1/backends', async () => {
    const list = await Promise.all(
      [...backends.values()].map(async (backend) => {
        const path = await findBinary(backend.binary);
        return { name: backend.name, type: backend.type, available: path !== undefined };
      }),
    );
    return { backends: list };
  });
}
