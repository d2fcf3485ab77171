import assert from 'node:assert/strict';
import { test } from 'node:test';
import Fastify from 'fastify';
import { Judge0Auth } from '../../../src/compat/judge0/auth.js';

/** The two gates, on an in-process Fastify (no port): what each configuration lets through. */
async function app(tokens: string[], users: string[]) {
  const auth = new Judge0Auth(tokens, users);
  const server = Fastify();
  server.addHook('onRequest', auth.authenticate);
  server.get('/open', async () => 'ok');
  server.get('/admin', { preHandler: auth.authorize }, async () => 'ok');
  return server;
}

test('without tokens every route is open, and administrative ones are refused (403), as in Judge0', async () => {
  const server = await app([], []);
  assert.equal((await server.inject({ url: '/open' })).statusCode, 200);
  assert.equal((await server.inject({ url: '/admin', headers: { 'x-auth-user': '' } })).statusCode, 403);
  await server.close();
});

test('tokens and users: 401 before 403, header or parameter, empty bodies', async () => {
  const server = await app(['t1', 't2'], ['u1']);
  const open = await server.inject({ url: '/open' });
  assert.deepEqual([open.statusCode, open.body], [401, '']);
  assert.equal((await server.inject({ url: '/open', headers: { 'x-auth-token': 't2' } })).statusCode, 200);
  assert.equal((await server.inject({ url: '/open?X-Auth-Token=t1' })).statusCode, 200);
  assert.equal((await server.inject({ url: '/admin', headers: { 'x-auth-user': 'u1' } })).statusCode, 401);
  const wrongUser = await server.inject({ url: '/admin', headers: { 'x-auth-token': 't1', 'x-auth-user': 'u2' } });
  assert.deepEqual([wrongUser.statusCode, wrongUser.body], [403, '']);
  assert.equal((await server.inject({ url: '/admin', headers: { 'x-auth-token': 't1', 'x-auth-user': 'u1' } })).statusCode, 200);
  assert.equal((await server.inject({ method: 'OPTIONS', url: '/open' })).statusCode, 404, 'a preflight passes the gate (404: no such route here)');
  await server.close();
});
