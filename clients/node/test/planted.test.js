'use strict';
// A socket planted by another user (nobody) is refused: no request, not
// even the license key, reaches it (issue 16 point 5, Node client).
const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const path = require('path');
const { spawn } = require('child_process');
const { AgentClient, REASONS } = require('..');

const root = typeof process.getuid === 'function' && process.getuid() === 0;
// nobody's uid and gid from the user database.
const nobody = (() => {
  try {
    const line = fs.readFileSync('/etc/passwd', 'utf8').split('\n')
      .find((l) => l.startsWith('nobody:'));
    const f = line.split(':');
    return { uid: Number(f[2]), gid: Number(f[3]) };
  } catch (e) { return null; }
})();

test('a socket planted by nobody is refused', { skip: (!root || !nobody) && 'needs root and a nobody user' }, async () => {
  const top = fs.mkdtempSync('/tmp/gg-plant-node');
  fs.chmodSync(top, 0o755);
  const dir = path.join(top, 'gg-agent');
  fs.mkdirSync(dir, { mode: 0o755 });
  fs.chownSync(dir, nobody.uid, nobody.gid);
  const sock = path.join(dir, 'agent.sock');
  // The attacker: allows everything and reports every request on stdout.
  const attacker = spawn(process.execPath, ['-e', `
    const net = require('net');
    net.createServer((c) => c.on('data', (d) => {
      process.stdout.write(d);
      c.end('{"id":1,"ok":true,"allow":true,"reasonCode":null,"sessionId":"s_evil"}\\n');
    })).listen(${JSON.stringify(sock)}, () => process.stdout.write('ready\\n'));
  `], { uid: nobody.uid, gid: nobody.gid, stdio: ['ignore', 'pipe', 'inherit'] });
  let seen = '';
  await new Promise((resolve) => attacker.stdout.on('data', (d) => {
    seen += d;
    if (seen.includes('ready')) resolve();
  }));
  try {
    const client = new AgentClient({ path: sock });
    const v = await client.authorize('7d7b5f0e-3c1a-4a52-9f0e-2b9e6c1d4a10', 'SECRET-KEY');
    assert.strictEqual(v.allow, false);
    assert.strictEqual(v.reasonCode, REASONS.AGENT_UNAVAILABLE);
    assert.match(client.lastError, /refusing/);
    const named = new AgentClient({ path: sock, agentUid: nobody.uid });
    const ok = await named.authorize('7d7b5f0e-3c1a-4a52-9f0e-2b9e6c1d4a10', 'OTHER');
    assert.strictEqual(ok.allow, true, JSON.stringify(ok));
    named.close();
    // Bounded wait for the child's report of the request it answered.
    await new Promise((resolve) => {
      const timer = setTimeout(resolve, 10000);
      const check = () => { if (seen.includes('OTHER')) { clearTimeout(timer); resolve(); } };
      attacker.stdout.on('data', check);
      check();
    });
    assert.ok(!seen.includes('SECRET-KEY'), seen);
    assert.ok(seen.includes('OTHER'), seen);
  } finally {
    attacker.kill('SIGKILL');
    fs.rmSync(top, { recursive: true, force: true });
  }
});
