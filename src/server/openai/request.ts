import { TetherError } from '../../errors.ts';

/** The fields of a chat completion request Tether uses; sampling parameters are accepted and ignored. */
export interface ChatRequest {
  readonly model: string;
  readonly prompt: string;
  readonly stream: boolean;
  readonly includeUsage: boolean;
  /** Tether's own run options (`timeout_s`, …), as in POST /v1/runs. */
  readonly options: unknown;
}

const ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool']);

export function parseChatRequest(body: unknown): ChatRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw bad('the body must be a JSON object');
  const input = body as Record<string, unknown>;
  if (typeof input.model !== 'string' || input.model.length === 0)
    throw bad('model must be a non-empty string');
  if (!Array.isArray(input.messages) || input.messages.length === 0)
    throw bad('messages must be a non-empty array');
  if (input.stream !== undefined && typeof input.stream !== 'boolean') throw bad('stream must be a boolean');
  const streamOptions = input.stream_options as { include_usage?: unknown } | undefined;
  const prompt = renderPrompt(input.messages.map(parseMessage));
  if (prompt.includes('\0')) throw bad('messages must not contain NUL bytes');
  return {
    model: input.model,
    prompt,
    stream: input.stream === true,
    includeUsage: streamOptions?.include_usage === true,
    options: input.tether,
  };
}

interface Message {
  readonly role: string;
  readonly text: string;
}

function parseMessage(value: unknown, index: number): Message {
  const message = value as { role?: unknown; content?: unknown } | null;
  if (
    typeof message !== 'object' ||
    message === null ||
    typeof message.role !== 'string' ||
    !ROLES.has(message.role)
  )
    throw bad(`messages[${index}] needs a role of system, developer, user, assistant or tool`);
  // Only an assistant turn (one that made tool calls) may come without content.
  if ((message.content === undefined || message.content === null) && message.role !== 'assistant')
    throw bad(`messages[${index}].content is required for role ${message.role}`);
  return { role: message.role, text: contentText(message.content, index) };
}

/** `content` is a string or an array of parts; only text parts can reach a CLI prompt. */
function contentText(content: unknown, index: number): string {
  if (typeof content === 'string') return content;
  if (content === null || content === undefined) return '';
  if (Array.isArray(content)) {
    return content
      .map((part: { type?: unknown; text?: unknown }) => {
        if (part?.type !== 'text' || typeof part.text !== 'string')
          throw bad(`messages[${index}].content: only text parts are supported`);
        return part.text;
      })
      .join('');
  }
  throw bad(`messages[${index}].content must be a string or an array of text parts`);
}

const LABEL: Record<string, string> = {
  system: 'System',
  developer: 'System',
  user: 'User',
  assistant: 'Assistant',
  tool: 'Tool result',
};

/**
 * One prompt for a one-shot CLI: a lone user message is passed as is; otherwise the system messages come
 * first, then the conversation, each under a label, ending with the last message.
 */
export function renderPrompt(messages: readonly Message[]): string {
  const [only] = messages;
  if (messages.length === 1 && only?.role === 'user') return only.text;
  const system = messages.filter((m) => m.role === 'system' || m.role === 'developer');
  const rest = messages.filter((m) => m.role !== 'system' && m.role !== 'developer');
  return [...system, ...rest].map((m) => `[${LABEL[m.role]}]\n${m.text}`).join('\n\n');
}

function bad(message: string): TetherError {
  return new TetherError('ERR_BAD_REQUEST', message);
}
