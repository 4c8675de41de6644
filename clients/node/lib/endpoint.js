'use strict';
// Where the agent listens (issue 16 point 5): GG_AGENT_SOCKET, else the
// system socket; a per-user fallback only on macOS and only in a directory
// the caller owns that nobody else can write. Node has no SO_PEERCRED, so
// the peer check looks at who owns the socket file (who bound it): root,
// this user, the "gg-agent" system user or a uid the app names.
const fs = require('fs');
const path = require('path');
const os = require('os');

const LINUX_SOCKET = '/run/gg-agent/agent.sock';
const MACOS_SOCKET = '/var/run/gg-agent/agent.sock';
const WINDOWS_PIPE = '\\\\.\\pipe\\gg-agent';

function defaultEndpoint(env = process.env) {
  if (env.GG_AGENT_SOCKET) return env.GG_AGENT_SOCKET;
  if (process.platform === 'win32') return WINDOWS_PIPE;
  if (process.platform !== 'darwin') return LINUX_SOCKET;
  if (exists(MACOS_SOCKET)) return MACOS_SOCKET;
  if (env.TMPDIR) {
    const dir = path.join(env.TMPDIR, 'gg-agent');
    try {
      const st = fs.lstatSync(dir);
      if (st.isDirectory() && st.uid === process.getuid() &&
          (st.mode & 0o022) === 0 && exists(path.join(dir, 'agent.sock'))) {
        return path.join(dir, 'agent.sock');
      }
    } catch (e) { /* no per-user agent */ }
  }
  return MACOS_SOCKET;
}

function exists(p) {
  try { fs.lstatSync(p); return true; } catch (e) { return false; }
}

let agentUserUid; // memoised: undefined not looked up, null none
function agentUser() {
  if (agentUserUid === undefined) {
    agentUserUid = null;
    try {
      for (const line of fs.readFileSync('/etc/passwd', 'utf8').split('\n')) {
        const f = line.split(':');
        if (f[0] === 'gg-agent') agentUserUid = Number(f[2]);
      }
    } catch (e) { /* no user database */ }
  }
  return agentUserUid;
}

// An error message, or null when the socket at `p` may be the agent's.
function checkOwner(p, configuredUid) {
  if (process.platform === 'win32') return null; // the pipe's ACL decides
  let st;
  try { st = fs.lstatSync(p); } catch (e) { return `cannot stat ${p}: ${e.message}`; }
  const uid = st.uid;
  const me = process.getuid();
  if (uid === 0 || uid === me || uid === configuredUid || uid === agentUser()) {
    return null;
  }
  return `refusing ${p}: it belongs to uid ${uid}, not root, this user or ` +
    "the agent's user";
}

module.exports = { defaultEndpoint, checkOwner, os };
