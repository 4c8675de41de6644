'use strict';
// The shared answer table (tests/clients/answers.json) and the reasons.
const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const path = require('path');
const { verdictFromAnswer, defaultMessage, REASONS } = require('..');

const table = JSON.parse(fs.readFileSync(
  path.join(__dirname, '..', '..', '..', 'tests', 'clients', 'answers.json'), 'utf8'));

test('every row of the shared table', () => {
  for (const row of table.rows) {
    const v = verdictFromAnswer(row.answer);
    assert.strictEqual(v.allow, row.allow, row.name);
    assert.strictEqual(v.reasonCode || '', row.reason, row.name);
    assert.strictEqual(v.kind, row.kind, row.name);
  }
});

test('every reason has a default message', () => {
  assert.strictEqual(defaultMessage('LICENSE_REVOKED'), 'License has been revoked');
  assert.strictEqual(defaultMessage('SOMETHING_NEW'), 'Validation failed');
  for (const code of Object.values(REASONS)) {
    assert.notStrictEqual(defaultMessage(code), 'Validation failed', code);
  }
});
