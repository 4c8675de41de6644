'use strict';
// Reason codes of spec/ipc.md and the user-facing texts of the API's
// "Recommended client handling" (the same table as libggclient's
// gg_reason_default_message).
const REASONS = Object.freeze({
  LICENSE_NOT_FOUND: 'LICENSE_NOT_FOUND',
  PRODUCT_MISMATCH: 'PRODUCT_MISMATCH',
  LICENSE_REVOKED: 'LICENSE_REVOKED',
  LICENSE_EXPIRED: 'LICENSE_EXPIRED',
  LICENSE_EXPIRED_RELATIVE: 'LICENSE_EXPIRED_RELATIVE',
  HWID_MISMATCH: 'HWID_MISMATCH',
  HWID_LIMIT_EXCEEDED: 'HWID_LIMIT_EXCEEDED',
  IP_MISMATCH: 'IP_MISMATCH',
  IP_LIMIT_EXCEEDED: 'IP_LIMIT_EXCEEDED',
  IP_REGION_MISMATCH: 'IP_REGION_MISMATCH',
  CONCURRENCY_LIMIT_EXCEEDED: 'CONCURRENCY_LIMIT_EXCEEDED',
  HWID_BLACKLISTED: 'HWID_BLACKLISTED',
  IP_BLACKLISTED: 'IP_BLACKLISTED',
  AGENT_OFFLINE: 'AGENT_OFFLINE',
  OFFLINE_GRACE_EXPIRED: 'OFFLINE_GRACE_EXPIRED',
  CLOCK_TAMPERED: 'CLOCK_TAMPERED',
  AGENT_UNAUTHORIZED: 'AGENT_UNAUTHORIZED',
  AGENT_STOPPING: 'AGENT_STOPPING',
  AGENT_UNAVAILABLE: 'AGENT_UNAVAILABLE',
  CLIENT_INVALID_ARGUMENT: 'CLIENT_INVALID_ARGUMENT',
});

const TEXTS = {
  LICENSE_NOT_FOUND: 'Invalid license key',
  PRODUCT_MISMATCH: 'Invalid license key',
  LICENSE_EXPIRED: 'License has expired',
  LICENSE_EXPIRED_RELATIVE: 'License has expired',
  LICENSE_REVOKED: 'License has been revoked',
  HWID_MISMATCH: 'License is bound to a different device',
  HWID_LIMIT_EXCEEDED: 'License is bound to a different device',
  HWID_BLACKLISTED: 'Access denied',
  IP_BLACKLISTED: 'Access denied',
  CONCURRENCY_LIMIT_EXCEEDED:
    'Too many active sessions. Close other instances first.',
  IP_MISMATCH: 'License is bound to a different network address',
  IP_LIMIT_EXCEEDED: 'License is used from too many addresses',
  IP_REGION_MISMATCH: 'License is not valid in this region',
  AGENT_OFFLINE: 'The license server cannot be reached. Check your connection.',
  OFFLINE_GRACE_EXPIRED:
    'The license could not be checked for too long. Connect to the internet.',
  CLOCK_TAMPERED: 'The system clock was set back. Correct the date and time.',
  AGENT_UNAUTHORIZED:
    'The license service is misconfigured. Contact your administrator.',
  AGENT_STOPPING: 'The license service is restarting',
  AGENT_UNAVAILABLE: 'The license service is not running',
  CLIENT_INVALID_ARGUMENT: 'The application called the license check wrongly',
};

function defaultMessage(reasonCode) {
  return Object.prototype.hasOwnProperty.call(TEXTS, reasonCode || '')
    ? TEXTS[reasonCode]
    : 'Validation failed';
}

module.exports = { REASONS, defaultMessage };
