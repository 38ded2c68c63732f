// Unexpected errors reach the caller as a generic line with an id; the SQL, the document and the
// stack stay in the server log. Also the units behind it: the policy's host parsing and the guards.
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { checkRequest, hostnameOf, originPolicyFromEnv } from '../../../server/security/host-origin';
import { cleanStrings, cleanText, findInputProblem } from '../../../server/security/input-guard';
import { publicProcedure, router } from '../../../server/trpc';

const leaky = router({
  boom: publicProcedure.input(z.object({ name: z.string() })).mutation(({ input }) => {
    throw new Error(`Failed query: insert into "graphs" ("id", "name") values ($1, $2)\nparams: g_1,${input.name}`);
  }),
  fine: publicProcedure.input(z.object({ n: z.int().max(3) })).query(({ input }) => input.n),
});

describe('error formatting', () => {
  const server = createServer(createHTTPHandler({ router: leaky, basePath: '/', createContext: () => ({ db: null as never, user: null }) }));
  let url = '';
  beforeAll(async () => {
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

  it('maps an unexpected error to a generic message with an id, logged server-side', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    const res = await fetch(`${url}/boom`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ json: { name: 'SECRET-DOCUMENT' } }) });
    const text = await res.text();
    expect(res.status).toBe(500);
    expect(text).not.toMatch(/insert into|SECRET-DOCUMENT|params:|at .*\.ts/);
    const message = JSON.parse(text).error.json.message as string;
    expect(message).toMatch(/^internal error (e_[0-9a-f]{12}); the server log has the details$/);
    const id = message.split(' ')[2].replace(';', '');
    expect(logged.mock.calls.some((c) => String(c[0]).includes(id))).toBe(true);
    logged.mockRestore();
  });

  it('gives zod problems as path: message', async () => {
    const res = await fetch(`${url}/fine?input=${encodeURIComponent(JSON.stringify({ json: { n: 9 } }))}`);
    expect(res.status).toBe(400);
    expect((await res.json()).error.json.message).toMatch(/^n: /);
  });
});

describe('host/origin policy', () => {
  const policy = originPolicyFromEnv('127.0.0.1', { TUNEGRAPH_ALLOWED_HOSTS: 'tunegraph.example.com', TUNEGRAPH_ALLOWED_ORIGINS: 'https://app.example.com' });
  const check = (headers: Record<string, string>, method = 'POST') => checkRequest(policy, { method, headers });

  it('parses host names with ports, brackets and trailing dots', () => {
    expect(hostnameOf('[::1]:3000')).toBe('::1');
    expect(hostnameOf('Example.COM.:80')).toBe('example.com');
    expect(hostnameOf('::1')).toBe('::1');
    expect(hostnameOf('127.0.0.1')).toBe('127.0.0.1');
  });

  it('allows loopback, the listen host and configured names; refuses others', () => {
    expect(check({ host: 'localhost:3000' })).toBeNull();
    expect(check({ host: '[::1]:3000' })).toBeNull();
    expect(check({ host: 'tunegraph.example.com' })).toBeNull();
    expect(check({ host: 'tunegraph.example.com.evil.example' })?.status).toBe(403);
    expect(check({})?.status).toBe(400);
  });

  it('checks Origin against the request host and the configured origins', () => {
    expect(check({ host: 'tunegraph.example.com', origin: 'https://app.example.com' })).toBeNull();
    expect(check({ host: 'tunegraph.example.com', origin: 'https://tunegraph.example.com' })).toBeNull();
    expect(check({ host: 'localhost:3000', origin: 'http://localhost:3000' })).toBeNull();
    expect(check({ host: 'localhost:3000', origin: 'http://localhost:3001' })?.status).toBe(403);
    expect(check({ host: 'localhost:3000', origin: 'http://evil.example' }, 'GET')?.status).toBe(403);
    expect(check({ host: 'localhost:3000', 'sec-fetch-site': 'cross-site' }, 'GET')).toBeNull();
    expect(check({ host: 'localhost:3000', 'sec-fetch-site': 'cross-site' })?.status).toBe(403);
  });
});

describe('input guard', () => {
  it('names the first bad field, with keys checked too', () => {
    expect(findInputProblem({ a: [1, { b: 'x\u0000' }] })).toEqual({ path: 'a.1.b', message: 'contains a NUL character' });
    expect(findInputProblem({ ['k\u0000']: 1 })?.message).toBe('a key contains a NUL character');
    expect(findInputProblem({ a: '\udc00' })?.path).toBe('a');
    expect(findInputProblem({ a: '\ud83d\ude00 fine' })).toBeNull();
    expect(findInputProblem({ n: Infinity })?.message).toBe('Infinity is not a finite number');
    expect(findInputProblem({ m: new Map() })?.message).toMatch(/Map object is not accepted/);
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(findInputProblem(deep)?.message).toBe('is nested more than 64 levels deep');
  });

  it('cleans event strings instead of refusing them, keeping __proto__ a plain key', () => {
    expect(cleanText('a\u0000b\ud800')).toBe('a\ufffdb\ufffd');
    const cleaned = cleanStrings(JSON.parse('{"message":"x\\u0000","__proto__":{"polluted":"\\udc00"}}'));
    expect(cleaned.message).toBe('x\ufffd');
    expect(Object.getPrototypeOf(cleaned)).toBe(Object.prototype);
    expect(Object.keys(cleaned)).toEqual(['message', '__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
