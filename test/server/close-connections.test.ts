import '../helpers/subreaper.ts';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect } from 'node:net';
import { test } from 'node:test';
import { startTestServer } from '../helpers/server.ts';

test('close() is not held by a connection with a half-sent request (it used to wait for the 60 s header timeout)', async (t) => {
  const server = await startTestServer(t);
  const socket = connect(server.port, '127.0.0.1');
  t.after(() => socket.destroy());
  await once(socket, 'connect');
  socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n'); // headers never finished
  const idle = connect(server.port, '127.0.0.1');
  t.after(() => idle.destroy());
  await once(idle, 'connect');
  idle.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'); // answered, then idle keep-alive
  await once(idle, 'data');

  const closed = Promise.all([once(socket, 'close'), once(idle, 'close')]);
  const started = performance.now();
  await server.close();
  const took = performance.now() - started;
  assert.ok(took < 2000, `close() took ${Math.round(took)} ms`);
  await closed;
});
