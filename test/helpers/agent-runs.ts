import { fileURLToPath } from 'node:url';
import type { AgentBackendConfig, AgentType } from '../../src/backends/agent-config.ts';
import { agentBackendFor } from '../../src/backends/agents.ts';
import type { Backend } from '../../src/backends/types.ts';
import { DEFAULT_LIMITS } from '../../src/config/schema.ts';
import { defaultRegistry, type ProcessIdentity, readIdentity } from '../../src/process/index.ts';
import type { RunEvent } from '../../src/runs/events.ts';
import { RunManager } from '../../src/runs/manager.ts';
import type { RunView } from '../../src/runs/run.ts';

/** The folder of fake agent CLIs (test/fixtures/clis/). */
export const CLIS_DIR = fileURLToPath(new URL('../fixtures/clis/', import.meta.url));

export type Scenario =
  | 'normal'
  | 'error'
  | 'tool-using'
  | 'hang-after-final-line'
  | 'tool-shell-escapes'
  | 'ignore-sigterm';

/** An agent backend running the fake of `type` in `scenario` (the env allowlist passes the scenario). */
export function fakeAgent(
  type: AgentType,
  scenario: Scenario,
  extra: Partial<AgentBackendConfig> & { vars?: Record<string, string> } = {},
): Backend {
  const { vars, ...config } = extra;
  const names = ['FAKE_CLI_SCENARIO', ...Object.keys(vars ?? {})];
  return agentBackendFor(
    type,
    { type, binary: `${CLIS_DIR}${type}`, args: [], env: names, ...config },
    { envSource: { ...process.env, FAKE_CLI_SCENARIO: scenario, ...vars } },
  );
}

export interface AgentRun {
  /** Every event but `start` and `stderr`. */
  readonly events: RunEvent[];
  readonly stderr: string[];
  readonly view: RunView;
  /** Identities of the escapees the fake announced (`grandchild PID` on stderr), read while they ran. */
  readonly escapees: ProcessIdentity[];
  readonly root: ProcessIdentity | undefined;
}

/** Runs one backend to its end through a RunManager (small graces) and collects what it printed. */
export async function runAgent(
  backend: Backend,
  options: { prompt?: string; lingerMs?: number; timeoutS?: number } = {},
): Promise<AgentRun> {
  const manager = new RunManager({
    backends: new Map([[backend.name, backend]]),
    admission: { maxRuns: 4, maxRunsPerClient: 4, queueSize: 0, queueWaitMs: 1000 },
    workspaceRoots: [process.cwd()],
    eventBuffer: 1024,
    killGraceMs: 200,
    lingerMs: options.lingerMs ?? 200,
    registry: defaultRegistry,
  });
  const run = await manager.create({
    backend: backend.name,
    prompt: options.prompt ?? 'hi',
    options: {
      timeoutS: options.timeoutS ?? 10,
      idleTimeoutS: 10,
      maxOutputBytes: DEFAULT_LIMITS.maxOutputBytes,
      detachGraceS: 0,
    },
    client: 'test',
    streamed: false,
  });
  const escapees: ProcessIdentity[] = [];
  let seen = 0;
  const root = readIdentity(run.view().pid);
  const watch = (): void => {
    for (const { id, event } of run.events.since(seen)) {
      seen = id;
      const pid = event.type === 'stderr' ? /^grandchild (\d+)$/.exec(event.data)?.[1] : undefined;
      const identity = pid ? readIdentity(Number(pid)) : undefined;
      if (identity) escapees.push(identity);
    }
  };
  const unsubscribe = run.events.subscribe(watch);
  watch();
  const view = await run.finished;
  unsubscribe();
  const all = run.events.since(0).map((e) => e.event);
  return {
    events: all.filter((e) => e.type !== 'start' && e.type !== 'stderr'),
    stderr: all.flatMap((e) => (e.type === 'stderr' ? [e.data] : [])),
    view,
    escapees,
    root: root ?? undefined,
  };
}
