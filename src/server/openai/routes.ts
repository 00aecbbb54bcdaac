import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Backend } from '../../backends/types.ts';
import type { TetherConfig } from '../../config/schema.ts';
import type { RunManager } from '../../runs/manager.ts';
import type { Run } from '../../runs/run.ts';
import { parseRunOptions } from '../../runs/run-options.ts';
import { clientKey } from '../auth.ts';
import { completion, type ResponseIdentity } from './chunks.ts';
import { openAIError, sendOpenAIError } from './errors.ts';
import { listModels, resolveModel } from './models.ts';
import { parseChatRequest } from './request.ts';
import { awaitCompletion, streamCompletion } from './stream.ts';

export interface OpenAIParts {
  readonly config: TetherConfig;
  readonly manager: RunManager;
  readonly backends: ReadonlyMap<string, Backend>;
}

/**
 * The OpenAI-compatible surface: GET /v1/models and POST /v1/chat/completions, thin over the run
 * manager. Admission, timeouts and disconnects are the runs API's own; errors are OpenAI error objects.
 */
export function openaiRoutes(app: FastifyInstance, parts: OpenAIParts): void {
  // Its own scope: errors here are OpenAI error objects, not problem documents.
  void app.register(async (scope) => {
    scope.setErrorHandler((error, _request, reply) => sendOpenAIError(reply, error));

    scope.get('/v1/models', async () => ({ object: 'list', data: listModels(parts.backends, parts.config) }));

    scope.post('/v1/chat/completions', async (request, reply) => {
      const chat = parseChatRequest(request.body);
      const target = resolveModel(chat.model, parts.backends);
      const options = parseRunOptions(chat.options, parts.config.limits);
      const gone = new AbortController();
      const onClose = (): void => gone.abort();
      request.raw.socket.once('close', onClose);
      let run: Run;
      try {
        run = await parts.manager.create({
          backend: target.backend,
          prompt: chat.prompt,
          options: target.model ? { ...options, model: target.model } : options,
          client: clientKey(request),
          streamed: true,
          signal: gone.signal,
        });
      } finally {
        request.raw.socket.off('close', onClose);
      }
      const who: ResponseIdentity = {
        id: `chatcmpl-${run.id}`,
        created: Math.floor(Date.now() / 1000),
        model: chat.model,
      };
      if (chat.stream) {
        reply.hijack();
        streamCompletion(run, reply.raw, who, chat.includeUsage);
        return reply;
      }
      const state = await awaitCompletion(run, reply.raw);
      // The client left: its run is ended; there is no one to answer.
      if (!state) return reply.hijack();
      const outcome = state.outcome();
      reply.header('x-tether-run-id', run.id);
      if (outcome.error) {
        const { code, message, status } = outcome.error;
        if (status === 503) reply.header('retry-after', '1');
        return reply.code(status).send(openAIError(code, message, status));
      }
      return completion(who, outcome.content, outcome.finishReason, outcome.usage);
    });
  });
}
