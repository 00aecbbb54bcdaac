import type { RunEvent } from '../../src/runs/events.ts';

/** The normalized events (before `exit`) each fake prints per scenario; reviewed against agent-clis.md. */
export const EXPECTED: Record<string, Record<'normal' | 'error' | 'tool-using', RunEvent[]>> = {
  claude: {
    normal: [
      {
        type: 'text',
        text: 'The entry point is empty.',
      },
      {
        type: 'usage',
        inputTokens: 28909,
        outputTokens: 77,
        costUsd: 0.0412,
      },
      {
        type: 'result',
        text: 'The entry point is empty.',
      },
    ],
    error: [
      {
        type: 'text',
        text: 'Failed to authenticate: OAuth session expired and could not be refreshed',
      },
      {
        type: 'error',
        code: 'ERR_AGENT_FAILED',
        message: 'Failed to authenticate: OAuth session expired and could not be refreshed',
      },
    ],
    'tool-using': [
      {
        type: 'tool_call',
        id: 'toolu_01A',
        name: 'Read',
        input: {
          file_path: '/w/main.rs',
        },
      },
      {
        type: 'tool_result',
        id: 'toolu_01A',
        output: 'fn main() {}',
      },
      {
        type: 'text',
        text: 'The entry point is empty.',
      },
      {
        type: 'usage',
        inputTokens: 28909,
        outputTokens: 77,
        costUsd: 0.0412,
      },
      {
        type: 'result',
        text: 'The entry point is empty.',
      },
    ],
  },
  codex: {
    normal: [
      {
        type: 'text',
        text: 'Yep — there’s a `README.md` in the repository root.',
      },
      {
        type: 'usage',
        inputTokens: 24763,
        outputTokens: 122,
      },
      {
        type: 'result',
        text: 'Yep — there’s a `README.md` in the repository root.',
      },
    ],
    error: [
      {
        type: 'error',
        code: 'ERR_AGENT_FAILED',
        message: 'unexpected status 401 Unauthorized: Missing bearer or basic authentication in header',
      },
    ],
    'tool-using': [
      {
        type: 'tool_call',
        id: 'item_1',
        name: 'shell',
        input: {
          command: 'bash -lc ls',
        },
      },
      {
        type: 'tool_result',
        id: 'item_1',
        output: 'AGENTS.md\nREADME.md\n',
      },
      {
        type: 'text',
        text: 'Yep — there’s a `README.md` in the repository root.',
      },
      {
        type: 'usage',
        inputTokens: 24763,
        outputTokens: 122,
      },
      {
        type: 'result',
        text: 'Yep — there’s a `README.md` in the repository root.',
      },
    ],
  },
  opencode: {
    normal: [
      {
        type: 'text',
        text: 'Hi! How can I help you today?',
      },
      {
        type: 'usage',
        inputTokens: 19880,
        outputTokens: 9,
        costUsd: 0,
      },
      {
        type: 'result',
        text: 'Hi! How can I help you today?',
      },
    ],
    error: [
      {
        type: 'error',
        code: 'ERR_AGENT_FAILED',
        message: 'Invalid Authentication',
      },
    ],
    'tool-using': [
      {
        type: 'tool_call',
        id: 'tool-a048',
        name: 'bash',
        input: {
          command: 'ls -la',
        },
      },
      {
        type: 'tool_result',
        id: 'tool-a048',
        output: 'total 15\n',
      },
      {
        type: 'text',
        text: 'Hi! How can I help you today?',
      },
      {
        type: 'usage',
        inputTokens: 39880,
        outputTokens: 29,
        costUsd: 0.03,
      },
      {
        type: 'result',
        text: 'Hi! How can I help you today?',
      },
    ],
  },
  kimi: {
    normal: [
      {
        type: 'text',
        text: 'Hello! How can I help you?',
      },
      {
        type: 'result',
        text: 'Hello! How can I help you?',
      },
    ],
    error: [
      {
        type: 'text',
        text: 'LLM provider error: Error code: 429 - rate limit reached\n',
      },
      {
        type: 'error',
        code: 'ERR_AGENT_FAILED',
        message: 'LLM provider error: Error code: 429 - rate limit reached',
        retryable: true,
      },
    ],
    'tool-using': [
      {
        type: 'text',
        text: 'Let me check the current directory.',
      },
      {
        type: 'tool_call',
        id: 'tc_1',
        name: 'Shell',
        input: {
          command: 'ls',
        },
      },
      {
        type: 'tool_result',
        id: 'tc_1',
        output: 'file1.py\nfile2.py',
      },
      {
        type: 'text',
        text: 'There are two Python files.',
      },
      {
        type: 'result',
        text: 'There are two Python files.',
      },
    ],
  },
  pi: {
    normal: [
      {
        type: 'text',
        text: 'Hello',
        delta: true,
      },
      {
        type: 'text',
        text: ' there',
        delta: true,
      },
      {
        type: 'usage',
        inputTokens: 10,
        outputTokens: 5,
        costUsd: 0.000105,
      },
      {
        type: 'result',
        text: 'Hello there',
      },
    ],
    error: [
      {
        type: 'usage',
        inputTokens: 0,
        outputTokens: 0,
        costUsd: 0,
      },
      {
        type: 'error',
        code: 'ERR_AGENT_FAILED',
        message: '401 Missing Authentication header',
      },
    ],
    'tool-using': [
      {
        type: 'tool_call',
        id: 'call_abc123',
        name: 'bash',
        input: {
          command: 'ls -la',
        },
      },
      {
        type: 'tool_result',
        id: 'call_abc123',
        output: 'total 48\n...',
      },
      {
        type: 'text',
        text: 'done',
        delta: true,
      },
      {
        type: 'usage',
        inputTokens: 20,
        outputTokens: 10,
        costUsd: 0.00021,
      },
      {
        type: 'result',
        text: 'done',
      },
    ],
  },
};
