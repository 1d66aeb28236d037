import assert from 'node:assert/strict';
import { Agent, createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { readBody, type BodyResult } from './body.js';

describe('readBody', () => {
  let server: Server;
  let port: number;
  const results: BodyResult[] = [];
  before(async () => {
    server = createServer(async (req, res) => {
      const r = await readBody(req, 100, 1000);
      results.push(r);
      res.end(r.ok ? `ok ${r.body.length}` : r.reason === 'too-large' ? `too-large ${r.drained}` : 'aborted');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  /** Sends one request (on `agent`'s connections when given) and resolves with the answer's text. */
  function send(method: string, body?: Buffer, headers: Record<string, string> = {}, agent?: Agent): Promise<string> {
    return new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method, path: '/', headers, agent }, (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (d: string) => { text += d; }).on('end', () => resolve(text));
      });
      req.on('error', reject);
      req.end(body);
    });
  }
  const post = (body: Buffer, headers?: Record<string, string>): Promise<string> => send('POST', body, headers);

  const cases = [
    { name: 'an empty body', body: Buffer.alloc(0), answer: 'ok 0' },
    { name: 'a body at the limit', body: Buffer.alloc(100, 1), answer: 'ok 100' },
    { name: 'a chunked body under the limit', body: Buffer.alloc(5, 1), headers: { 'transfer-encoding': 'chunked' }, answer: 'ok 5' },
    { name: 'a body over the limit, drained', body: Buffer.alloc(500, 1), answer: 'too-large true' },
    { name: 'a chunked body over the limit, drained', body: Buffer.alloc(500, 1), headers: { 'transfer-encoding': 'chunked' }, answer: 'too-large true' },
  ];
  for (const c of cases) {
    it(`reads ${c.name}`, async () => assert.equal(await post(c.body, c.headers), c.answer));
  }

  it('answers a request without a body (a GET) with an empty one, and keeps the connection usable', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const get = (): Promise<string> => send('GET', undefined, {}, agent);
      assert.deepEqual([await get(), await get(), await send('POST', Buffer.alloc(7, 1), {}, agent)], ['ok 0', 'ok 0', 'ok 7']);
    } finally {
      agent.destroy();
    }
  });

  it('refuses an announced body beyond the drain limit without reading it', async () => {
    const answer = await new Promise<string>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/', headers: { 'content-length': '5000' } }, (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (d: string) => { text += d; }).on('end', () => resolve(text));
      });
      req.on('error', reject);
      req.write(Buffer.alloc(10)); // the rest is never sent
    });
    assert.equal(answer, 'too-large false');
  });
});
