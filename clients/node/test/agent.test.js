'use strict';
// Against a real gg-agent (ctest's clients_e2e_test sets GG_AGENT_SOCKET,
// GG_TEST_PRODUCT, GG_DEVSERVER_URL and its admin token).
const test = require('node:test');
const assert = require('node:assert');
const http = require('http');
const { AgentClient, REASONS } = require('..');

const SOCKET = process.env.GG_AGENT_SOCKET;
const PRODUCT = process.env.GG_TEST_PRODUCT;
const skip = SOCKET ? false : 'needs a running agent (ctest clients_e2e_test)';

function putLicense(key, body) {
  const url = new URL(`/__admin/licenses/${key}`, process.env.GG_DEVSERVER_URL);
  return new Promise((resolve, reject) => {
    const req = http.request(url, {
      method: 'PUT',
      headers: { 'X-Admin-Token': process.env.GG_DEVSERVER_ADMIN_TOKEN,
        'Content-Type': 'application/json' },
    }, (res) => { res.resume(); res.on('end', resolve); });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

// A copy of the demo's DEMO-ALLOW-0001 under `key`, refreshed every second.
function newLicense(key) {
  return putLicense(key, {
    key, id: '6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b', productId: PRODUCT,
    status: 'ACTIVE', expiresAt: null, daysAfterActivation: null,
    activatedAt: null, hwidMode: 'none', hwidLimit: 0, ipMode: 'none',
    ipLimit: 0, ipWindowSeconds: 3600, allowedRegions: null,
    maxConcurrentSessions: 3, offlineGraceSeconds: 259200, heartbeatSeconds: 1,
  });
}

test('allow, deny and release against the agent', { skip }, async () => {
  const client = new AgentClient();
  assert.ok(client.timeoutMs > 5000);
  const v = await client.authorize(PRODUCT, 'DEMO-ALLOW-0001', { app: { name: 'node', version: '1' } });
  assert.strictEqual(v.allow, true, JSON.stringify(v));
  assert.strictEqual(client.lastError, '');
  assert.ok(await client.release(v.sessionId));
  const d = await client.authorize(PRODUCT, 'DEMO-REVOKED');
  assert.strictEqual(d.allow, false);
  assert.strictEqual(d.reasonCode, REASONS.LICENSE_REVOKED);
  const status = await client.status();
  assert.strictEqual(status.ok, true);
  client.close();
});

test('a pushed revocation, then the heartbeat answers it', { skip }, async () => {
  const key = 'NODE-REVOKE-ME';
  await newLicense(key);
  const client = new AgentClient();
  const v = await client.authorize(PRODUCT, key, { detached: true });
  assert.strictEqual(v.allow, true, JSON.stringify(v));
  await putLicense(key, { status: 'REVOKED' });
  const e = await client.nextEvent(20000);
  assert.ok(e, 'no event');
  assert.strictEqual(e.type, 'verdict');
  assert.strictEqual(e.sessionId, v.sessionId);
  assert.strictEqual(e.verdict.reasonCode, REASONS.LICENSE_REVOKED);
  const hb = await client.heartbeat(v.sessionId);
  assert.strictEqual(hb.allow, false);
  assert.strictEqual(hb.reasonCode, REASONS.LICENSE_REVOKED);
  assert.strictEqual(hb.source, 'online');
  client.close();
});
