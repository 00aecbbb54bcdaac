import type { TetherConfig } from '../config/schema.ts';
import { agentBackendFor } from './agents.ts';
import { commandBackend } from './command.ts';
import type { Backend } from './types.ts';

/** Builds the configured backends, keyed by name. */
export function backendsFromConfig(config: TetherConfig): Map<string, Backend> {
  const backends = new Map<string, Backend>();
  for (const [name, backend] of Object.entries(config.backends))
    backends.set(
      name,
      backend.type === 'command' ? commandBackend(name, backend) : agentBackendFor(name, backend),
    );
  return backends;
}
