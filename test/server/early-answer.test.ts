import '../helpers/subreaper.ts';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { badCases } from '../../bench/lib/bad-input/cases.ts';
import { sendRaw } from '../../bench/lib/bad-input/raw-http.ts';
import { startServe } from '../../bench/lib/serve-process.ts';
import { findOwnedProcesses } from '../../src/process/index.ts';

test('a 413 sent before the body was read reaches clients still uploading, 32 at a time (no reset that drops it)', async (t) => {
  const serve = await startServe({
    backends: { echo: { type: 'command', argv: ['/bin/echo', 'hi'], input: 'none' } },
  });
  t.after(() => serve.stop());
  const serverPid = serve.serverPid();
  assert.ok(serverPid);
  const marker = serve.markerOf(serverPid);
  // Bodies of 1–2 MiB against the default 1 MiB limit, each written in one go over its own connection.
  const uploads = badCases(
    { token: '', backend: 'echo', root: '/tmp', bodyLimitBytes: 1024 * 1024, runId: 'x', slow: false },
    8000,
    11,
  ).filter((c) => c.category === 'huge-body');
  assert.ok(uploads.length >= 64, `${uploads.length} uploads`);
  const port = Number(new URL(serve.url).port);
  const statuses: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < uploads.length) {
        const upload = uploads[next++];
        if (upload) statuses.push((await sendRaw(port, upload.request)).status);
      }
    }),
  );
  const lost = statuses.filter((status) => status !== 413).length;
  assert.equal(
    lost,
    0,
    `${lost} of ${statuses.length} uploads read no 413 (0: the connection was reset first)`,
  );

  await serve.stop();
  assert.deepEqual(
    await findOwnedProcesses(marker.slice(0, marker.lastIndexOf('/'))),
    [],
    'tether serve left nothing',
  );
});
