'use strict';
// The one answer rule (tests/clients/answers.json, shared with the C,
// C++ and Python clients): an allow only when ok is true, allow is true,
// there is no reasonCode and no error of any type. The verdict keeps the
// answer's own camelCase fields, so code written for the HTTP API's
// envelope (result.allow, result.reasonCode, result.message,
// result.effectiveExpiresAt) reads it unchanged.
const { REASONS } = require('./reasons');

function str(obj, key) {
  return typeof obj[key] === 'string' ? obj[key] : undefined;
}

function clientDeny(reasonCode, message) {
  return {
    ok: false, allow: false, reasonCode, message, source: 'client',
    kind: 'protocol',
  };
}

function verdictFromAnswer(answer) {
  if (answer === null || typeof answer !== 'object' || Array.isArray(answer)) {
    return clientDeny(REASONS.AGENT_UNAVAILABLE,
      "the license agent's answer is not a JSON object");
  }
  const v = {
    ok: answer.ok === true,
    allow: false,
    reasonCode: str(answer, 'reasonCode') ?? null,
    message: str(answer, 'message') ?? '',
    source: str(answer, 'source') ?? '',
    sessionId: str(answer, 'sessionId'),
    effectiveExpiresAt: str(answer, 'effectiveExpiresAt') ?? null,
    graceEndsAt: str(answer, 'graceEndsAt') ?? null,
    licenseId: str(answer, 'licenseId'),
    errorCode: undefined,
    kind: 'verdict',
  };
  const allow = answer.allow === true;
  const hasReason = answer.reasonCode !== undefined && answer.reasonCode !== null;
  const hasError = Object.prototype.hasOwnProperty.call(answer, 'error');
  if (v.ok && allow && !hasReason && !hasError) {
    v.allow = true;
    return v;
  }
  v.ok = false;
  if (hasError) {
    const e = answer.error;
    if (e !== null && typeof e === 'object' && typeof e.code === 'string' &&
        e.code !== '') {
      v.errorCode = e.code;
      v.message = typeof e.message === 'string' ? e.message : '';
      v.kind = 'error';
      return v;
    }
  } else if (hasReason && v.reasonCode && !allow) {
    return v; // an ordinary deny
  }
  v.kind = 'protocol';
  if (!v.reasonCode) {
    v.reasonCode = REASONS.AGENT_UNAVAILABLE;
    v.message = "the license agent's answer made no sense";
    v.source = 'client';
  }
  return v;
}

module.exports = { verdictFromAnswer, clientDeny };
