'use strict';
// @geckoguard/agent-client: ask the local GeckoGuard license agent over its
// Unix socket (Linux, macOS) or named pipe (Windows), with promises.
//
//   const { AgentClient } = require('@geckoguard/agent-client');
//   const agent = new AgentClient();           // GG_AGENT_SOCKET or default
//   const result = await agent.authorize(productId, licenseKey);
//   if (result.allow) { ... } else switch (result.reasonCode) { ... }
//   agent.on('event', (e) => { ... });         // pushed verdicts, shutdown
//
// Fail closed: a promise from authorize/heartbeat never rejects; anything
// but an explicit allow from the agent resolves to a deny with a reason
// (AGENT_UNAVAILABLE when it cannot be reached).
const net = require('net');
const { EventEmitter } = require('events');
const { verdictFromAnswer, clientDeny } = require('./lib/answer');
const { REASONS, defaultMessage } = require('./lib/reasons');
const { defaultEndpoint, checkOwner } = require('./lib/endpoint');

const MAX_FRAME_BYTES = 65536;
const MAX_SESSIONS = 1024;
// Above the agent's default policy.requestDeadlineMs (5 s), after which it
// answers by its offline rules; a shorter timeout loses an offline allow.
const DEFAULT_TIMEOUT_MS = 15000;

class AgentClient extends EventEmitter {
  constructor(options = {}) {
    super();
    this.path = options.path || defaultEndpoint();
    this.timeoutMs = options.timeoutMs || DEFAULT_TIMEOUT_MS;
    this.agentUid = options.agentUid;
    this.lastError = '';
    this._socket = null;
    this._connecting = null;
    this._buf = Buffer.alloc(0);
    this._scanned = 0;
    this._nextId = 0;
    this._waiting = new Map(); // id -> {resolve, timer}
    this._sessions = new Map(); // sessionId -> {detached}
    this._queue = Promise.resolve(); // one request at a time, in order
    this._pending = new Map(); // events nobody listened for yet
  }

  connect() {
    if (this._socket) return Promise.resolve(true);
    if (this._connecting) return this._connecting;
    this._connecting = new Promise((resolve) => {
      const refused = checkOwner(this.path, this.agentUid);
      if (refused && !refused.startsWith('cannot stat')) {
        this.lastError = refused;
        resolve(false);
        return;
      }
      const sock = net.createConnection(this.path);
      const timer = setTimeout(() => {
        sock.destroy();
        this.lastError = `timed out connecting to ${this.path}`;
        resolve(false);
      }, this.timeoutMs);
      sock.once('error', (e) => {
        clearTimeout(timer);
        this.lastError = `cannot connect to ${this.path}: ${e.message}`;
        resolve(false);
      });
      sock.once('connect', () => {
        clearTimeout(timer);
        sock.removeAllListeners('error');
        // Checked again after connect: the file is the one we reached.
        const late = checkOwner(this.path, this.agentUid);
        if (late) {
          sock.destroy();
          this.lastError = late;
          resolve(false);
          return;
        }
        this._attach(sock);
        resolve(true);
      });
    }).finally(() => { this._connecting = null; });
    return this._connecting;
  }

  _attach(sock) {
    this._socket = sock;
    this._buf = Buffer.alloc(0);
    this._scanned = 0;
    sock.unref(); // an idle connection does not keep the process alive
    sock.on('data', (d) => this._onData(d));
    sock.on('error', (e) => this._lost(e.message));
    sock.on('close', () => this._lost('the agent closed the connection'));
  }

  _lost(why) {
    if (!this._socket) return;
    this._socket.destroy();
    this._socket = null;
    this.lastError = why;
    for (const [id, w] of this._waiting) {
      clearTimeout(w.timer);
      w.resolve(null);
      this._waiting.delete(id);
    }
    for (const [sid, s] of this._sessions) {
      if (!s.detached) {
        this._sessions.delete(sid);
        this._emitEvent({
          type: 'session_lost', sessionId: sid,
          verdict: clientDeny(REASONS.AGENT_UNAVAILABLE,
            `the connection to the license agent was lost: ${why}`),
        });
      }
    }
  }

  _onData(data) {
    this._buf = this._buf.length ? Buffer.concat([this._buf, data]) : data;
    for (;;) {
      const nl = this._buf.indexOf(10, this._scanned);
      if (nl < 0 || nl >= MAX_FRAME_BYTES) {
        this._scanned = this._buf.length;
        if (this._buf.length >= MAX_FRAME_BYTES) {
          this._lost(`the agent sent a line over ${MAX_FRAME_BYTES} bytes`);
        }
        return;
      }
      const line = this._buf.subarray(0, nl).toString('utf8');
      this._buf = this._buf.subarray(nl + 1);
      this._scanned = 0;
      let obj;
      try { obj = JSON.parse(line); } catch (e) { continue; }
      if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) continue;
      if ('event' in obj) {
        this._onEvent(obj);
        continue;
      }
      let w = this._waiting.get(obj.id);
      let id = obj.id;
      if (!w && (obj.id === undefined || obj.id === null) && 'error' in obj) {
        [id, w] = this._waiting.entries().next().value || [];
      }
      if (w) {
        clearTimeout(w.timer);
        this._waiting.delete(id);
        w.resolve(obj);
      }
    }
  }

  _onEvent(obj) {
    if (obj.event === 'shutdown') {
      const v = clientDeny(obj.reasonCode || REASONS.AGENT_STOPPING,
        obj.message || 'the license agent is stopping');
      v.source = 'local';
      this._emitEvent({ type: 'shutdown', sessionId: '', verdict: v });
    } else if (obj.event === 'verdict') {
      const sid = obj.sessionId;
      if (typeof sid !== 'string' || !this._sessions.has(sid)) return;
      const v = verdictFromAnswer(obj); // an event has no "ok": a deny
      v.sessionId = sid;
      if (!v.allow) this._sessions.delete(sid);
      this._emitEvent({ type: 'verdict', sessionId: sid, verdict: v });
    }
  }

  _emitEvent(e) {
    if (this.listenerCount('event') > 0) {
      this.emit('event', e);
      return;
    }
    // Kept for nextEvent(), coalesced: one per session (a lost one stays
    // lost) and one shutdown, so a flood cannot grow it past the bound.
    const key = e.type === 'shutdown' ? '\0shutdown' : e.sessionId;
    const old = this._pending.get(key);
    if (old && old.type === 'session_lost') return;
    if (!old && this._pending.size > MAX_SESSIONS) return;
    this._pending.delete(key);
    this._pending.set(key, e);
  }

  // Any request object; its answer, or null (lastError says why).
  call(request) {
    const run = async () => {
      if (!(await this.connect())) return null;
      const id = ++this._nextId;
      const line = JSON.stringify({ ...request, v: 1, id }) + '\n';
      const answer = await new Promise((resolve) => {
        const timer = setTimeout(() => {
          this._waiting.delete(id);
          this._lost('timed out waiting for the agent');
          resolve(null);
        }, this.timeoutMs);
        this._waiting.set(id, { resolve, timer });
        this._socket.write(line);
      });
      if (answer) this._track(request, answer);
      return answer;
    };
    const p = this._queue.then(run, run);
    this._queue = p.catch(() => {});
    return p;
  }

  _track(request, answer) {
    if (request.op === 'release') {
      if (answer.ok === true) this._sessions.delete(request.sessionId);
      return;
    }
    const v = verdictFromAnswer(answer);
    if (request.op === 'heartbeat' && !v.allow) {
      this._sessions.delete(request.sessionId);
    }
    if (request.op === 'authorize' && v.allow && v.sessionId &&
        this._sessions.size < MAX_SESSIONS) {
      this._sessions.set(v.sessionId, { detached: !!request.detached });
    }
  }

  async _verdictCall(request) {
    const answer = await this.call(request);
    if (answer === null) {
      return clientDeny(REASONS.AGENT_UNAVAILABLE,
        `The license agent is not reachable: ${this.lastError}`);
    }
    const v = verdictFromAnswer(answer);
    this.lastError = v.kind === 'verdict' ? ''
      : `${v.errorCode || v.reasonCode}: ${v.message}`;
    return v;
  }

  // An allow opens a session (result.sessionId). A connection-bound
  // session needs no heartbeat; a detached one does.
  authorize(productId, licenseKey, options = {}) {
    if (typeof productId !== 'string' || typeof licenseKey !== 'string') {
      this.lastError = 'productId and licenseKey must be strings';
      return Promise.resolve(
        clientDeny(REASONS.CLIENT_INVALID_ARGUMENT, this.lastError));
    }
    const req = { op: 'authorize', productId, licenseKey };
    if (options.app) req.app = { name: String(options.app.name), version: String(options.app.version || '') };
    if (options.detached) req.detached = true;
    return this._verdictCall(req);
  }

  // The session's verdict now; for a session the agent ended on a denial,
  // that denial.
  heartbeat(sessionId) {
    if (typeof sessionId !== 'string') {
      this.lastError = 'sessionId must be a string';
      return Promise.resolve(
        clientDeny(REASONS.CLIENT_INVALID_ARGUMENT, this.lastError));
    }
    return this._verdictCall({ op: 'heartbeat', sessionId });
  }

  async release(sessionId) {
    const a = await this.call({ op: 'release', sessionId });
    return a !== null && a.ok === true;
  }

  status() {
    return this.call({ op: 'status' });
  }

  // The next event within timeoutMs: resolves to it, or to null on
  // timeout; rejects (code AGENT_UNAVAILABLE) when no connection could be
  // made in that time, after waiting it out.
  async nextEvent(timeoutMs) {
    const deadline = Date.now() + timeoutMs;
    for (const [key, e] of this._pending) {
      this._pending.delete(key);
      return e;
    }
    while (!this._socket && !(await this.connect())) {
      const left = deadline - Date.now();
      if (left <= 0) {
        const e = new Error(this.lastError);
        e.code = REASONS.AGENT_UNAVAILABLE;
        throw e;
      }
      await new Promise((r) => setTimeout(r, Math.min(left, 100)));
    }
    return new Promise((resolve) => {
      const onEvent = (e) => { clearTimeout(timer); resolve(e); };
      const timer = setTimeout(() => {
        this.off('event', onEvent);
        resolve(null);
      }, Math.max(deadline - Date.now(), 0));
      this.once('event', onEvent);
    });
  }

  // Closes the connection: the agent ends its connection-bound sessions.
  close() {
    if (this._socket) {
      const s = this._socket;
      this._socket = null;
      s.destroy();
    }
  }
}

module.exports = {
  AgentClient, REASONS, defaultMessage, verdictFromAnswer, defaultEndpoint,
  DEFAULT_TIMEOUT_MS, MAX_FRAME_BYTES,
};
