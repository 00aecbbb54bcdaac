import type { BadCase } from './cases.ts';
import { sendRaw } from './raw-http.ts';
import { documentedCodes, judge } from './verdict.ts';

export interface BadInputReport {
  readonly total: number;
  readonly byCategory: Record<string, { sent: number; wrong: number }>;
  readonly byStatus: Record<string, number>;
  readonly byCode: Record<string, number>;
  readonly serverErrors: number;
  /** The first few wrong answers, for the message of a failing run. */
  readonly wrong: string[];
  readonly wrongCount: number;
  readonly ms: number;
}

/** Sends every case (`concurrency` at a time, each on its own connection) and judges each answer. */
export async function runBadInput(
  port: number,
  cases: readonly BadCase[],
  concurrency = 16,
): Promise<BadInputReport> {
  const documented = documentedCodes();
  const byCategory: BadInputReport['byCategory'] = {};
  const byStatus: Record<string, number> = {};
  const byCode: Record<string, number> = {};
  const wrong: string[] = [];
  let wrongCount = 0;
  let serverErrors = 0;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < cases.length) {
        const c = cases[next++] as BadCase;
        const answer = await sendRaw(port, c.request);
        const stats = (byCategory[c.category] ??= { sent: 0, wrong: 0 });
        stats.sent++;
        byStatus[answer.status] = (byStatus[answer.status] ?? 0) + 1;
        if (answer.status >= 500) serverErrors++;
        try {
          const body = JSON.parse(answer.body) as { code?: string; error?: { code?: string } };
          const code = body.code ?? body.error?.code;
          if (code) byCode[code] = (byCode[code] ?? 0) + 1;
        } catch {
          // judged below
        }
        const why = judge(c, answer, documented);
        if (why) {
          stats.wrong++;
          wrongCount++;
          if (wrong.length < 10)
            wrong.push(
              `${c.category}: ${why} — sent ${JSON.stringify(c.request.bytes.subarray(0, 120).toString('latin1'))}`,
            );
        }
      }
    }),
  );
  return {
    total: cases.length,
    byCategory,
    byStatus,
    byCode,
    serverErrors,
    wrong,
    wrongCount,
    ms: performance.now() - started,
  };
}
