'use strict';
// The seed's own validateLicense example (shared/seeds/api-errors-summary.txt,
// "Error Handling Example"), with only its fetch call replaced by the
// client's authorize: the rest runs unchanged on the agent's answer.
const test = require('node:test');
const assert = require('node:assert');
const { AgentClient } = require('..');

const SOCKET = process.env.GG_AGENT_SOCKET;
const PRODUCT = process.env.GG_TEST_PRODUCT;
const skip = SOCKET ? false : 'needs a running agent (ctest clients_e2e_test)';
const client = new AgentClient();

async function validateLicense(productId, licenseKey, hwid) {
  // Was: const response = await fetch('https://api.geckoguard.com/v1/licenses/authorize', {...});
  //      const result = await response.json();
  const result = await client.authorize(productId, licenseKey);

  if (result.allow) {
    return { valid: true, expiresAt: result.effectiveExpiresAt };
  }

  // Handle specific denial reasons
  switch (result.reasonCode) {
    case 'LICENSE_NOT_FOUND':
      return { valid: false, error: 'Invalid license key' };
    case 'LICENSE_EXPIRED':
    case 'LICENSE_EXPIRED_RELATIVE':
      return { valid: false, error: 'License has expired' };
    case 'LICENSE_REVOKED':
      return { valid: false, error: 'License has been revoked' };
    case 'HWID_MISMATCH':
    case 'HWID_LIMIT_EXCEEDED':
      return { valid: false, error: 'This license is bound to a different device' };
    case 'HWID_BLACKLISTED':
    case 'IP_BLACKLISTED':
      return { valid: false, error: 'Access denied' };
    case 'CONCURRENCY_LIMIT_EXCEEDED':
      return { valid: false, error: 'Too many active sessions. Close other instances first.' };
    default:
      return { valid: false, error: result.message || 'Validation failed' };
  }
}

test('validateLicense runs unchanged on the agent answer', { skip }, async () => {
  const ok = await validateLicense(PRODUCT, 'DEMO-ALLOW-0001', 'ignored');
  assert.strictEqual(ok.valid, true);
  const raw = await client.call(
    { op: 'authorize', productId: PRODUCT, licenseKey: 'DEMO-ALLOW-0001' });
  assert.strictEqual(ok.expiresAt ?? null, raw.effectiveExpiresAt ?? null);
  assert.deepStrictEqual(await validateLicense(PRODUCT, 'DEMO-REVOKED', ''),
    { valid: false, error: 'License has been revoked' });
  assert.deepStrictEqual(await validateLicense(PRODUCT, 'NO-SUCH-KEY-AT-ALL', ''),
    { valid: false, error: 'Invalid license key' });
  const gone = new AgentClient({ path: '/tmp/gg-no-agent-here.sock' });
  const r = await gone.authorize(PRODUCT, 'DEMO-ALLOW-0001');
  assert.strictEqual(r.allow, false);
  assert.strictEqual(r.reasonCode, 'AGENT_UNAVAILABLE');
  client.close();
});
