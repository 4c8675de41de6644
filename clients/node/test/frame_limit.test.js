'use strict';
// A fake agent that streams bytes with no newline: the client hangs up at
// the 64 KiB frame limit and fails closed, instead of buffering forever.
const test = require('node:test');
const assert = require('node:assert');
const net = require('net');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { AgentClient, REASONS } = require('..');

test('no newline stream hits the frame limit', async () => {
  const dir = fs.mkdtempSync(path.join('/tmp', 'ggnode-'));
  const sock = path.join(dir, 'agent.sock');
  const server = net.createServer((c) => {
    c.on('error', () => {});
    c.once('data', () => {
      const chunk = Buffer.alloc(65536, 0x61);
      const pump = () => { while (c.writable && c.write(chunk)); };
      c.on('drain', pump);
      pump();
    });
  });
  await new Promise((r) => server.listen(sock, r));
  const client = new AgentClient({ path: sock, timeoutMs: 600000 });
  const v = await client.authorize('7d7b5f0e-3c1a-4a52-9f0e-2b9e6c1d4a10', 'k');
  assert.strictEqual(v.allow, false);
  assert.strictEqual(v.reasonCode, REASONS.AGENT_UNAVAILABLE);
  assert.match(client.lastError, /65536/);
  server.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('agent absent: a deny, and nextEvent waits then rejects', async () => {
  const client = new AgentClient({ path: path.join(os.tmpdir(), 'gg-none', 'x.sock'), timeoutMs: 500 });
  const v = await client.authorize('p', 'k');
  assert.strictEqual(v.allow, false);
  assert.strictEqual(v.reasonCode, REASONS.AGENT_UNAVAILABLE);
  assert.notStrictEqual(client.lastError, '');
  const start = Date.now();
  await assert.rejects(client.nextEvent(300), (e) => e.code === 'AGENT_UNAVAILABLE');
  assert.ok(Date.now() - start >= 290);
  const bad = await client.authorize(undefined, 'k');
  assert.strictEqual(bad.reasonCode, REASONS.CLIENT_INVALID_ARGUMENT);
});
