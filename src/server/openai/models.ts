import type { Backend } from '../../backends/types.ts';
import type { TetherConfig } from '../../config/schema.ts';
import { TetherError } from '../../errors.ts';

export interface ModelEntry {
  readonly id: string;
  readonly object: 'model';
  readonly created: number;
  readonly owned_by: string;
}

/** One model per backend (`claude`), plus `backend/model` where the backend has a configured model. */
export function listModels(backends: ReadonlyMap<string, Backend>, config: TetherConfig): ModelEntry[] {
  const models: ModelEntry[] = [];
  for (const backend of backends.values()) {
    models.push(entry(backend.name));
    const configured = config.backends[backend.name];
    const model = configured && 'model' in configured ? configured.model : undefined;
    if (model) models.push(entry(`${backend.name}/${model}`));
  }
  return models;
}

function entry(id: string): ModelEntry {
  return { id, object: 'model', created: 0, owned_by: 'tether' };
}

/** `claude` → the claude backend with its default model; `claude/opus` → with model `opus` (may contain `/`). */
export function resolveModel(
  id: string,
  backends: ReadonlyMap<string, Backend>,
): { backend: string; model?: string } {
  const slash = id.indexOf('/');
  const backend = slash < 0 ? id : id.slice(0, slash);
  if (!backends.has(backend))
    throw new TetherError('ERR_BACKEND_NOT_FOUND', `no model ${JSON.stringify(id)}: see GET /v1/models`);
  return slash < 0 ? { backend } : { backend, model: id.slice(slash + 1) };
}
