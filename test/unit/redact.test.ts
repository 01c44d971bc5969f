/**
 * The redactor's JSON rules: which field names are secret by the built-in words (whole words, so data that
 * merely contains them is kept), what is masked under them, `redact` names in any case, and streamed text
 * masked line by line with its line ends kept.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRedactor, isSecretField } from '../../src/security/redact.ts';

describe('redaction of JSON fields', () => {
  it('secret by the built-in words, as whole words of the name in any spelling', () => {
    const secret = ['password', 'Password', 'newPassword', 'password_confirmation', 'passwd', 'token', 'accessToken', 'access_token', 'refresh-token', 'id_token', 'tokens', 'secret', 'client_secret', 'clientSecret', 'apiKey', 'api_key', 'X-Api-Key', 'APIKey', 'apikey', 'privateKey', 'secret_key', 'sessionId', 'session_id', 'session', 'cookie', 'cookies', 'auth', 'authorization', 'credential', 'credentials', 'jwt', 'signature', 'sig'];
    const data = ['key', 'keys', 'primaryKey', 'publicKey', 'sortKey', 'author', 'authorName', 'keyword', 'signal', 'design', 'user', 'id', 'tokenizer', 'passage', 'secretary'];
    assert.deepEqual(secret.filter((name) => !isSecretField(name)), [], 'secret names taken for data');
    assert.deepEqual(data.filter((name) => isSecretField(name)), [], 'data taken for secrets');
  });

  it('built-in names mask strings and walk objects; names listed in `redact` (any case) mask whatever they hold', () => {
    const redact = createRedactor(['AccountNumber', 'X-Customer-Ref']);
    const value = { user: 'a', password: 'p', expires: 3600, tokenCount: 2, credentials: { user: 'b', secret: 's' }, accountnumber: { iban: 'DE' }, 'x-customer-ref': 77, nested: [{ ACCOUNTNUMBER: 1 }] };
    assert.equal(redact.json(value), true);
    assert.deepEqual(value, { user: 'a', password: '***', expires: 3600, tokenCount: 2, credentials: { user: 'b', secret: '***' }, accountnumber: '***', 'x-customer-ref': '***', nested: [{ ACCOUNTNUMBER: '***' }] });
    assert.equal(redact.json(value), false, 'masking what is masked changes nothing');
    assert.equal(redact.headers({ 'x-customer-ref': 'c', 'X-Customer-Ref': 'd' })['X-Customer-Ref'], '***');
    assert.equal(redact.headers({ 'x-customer-ref': 'c' })['x-customer-ref'], '***');
  });

  it('message() rewrites only JSON it masked; lines() masks JSON lines and SSE data lines, keeping every line end', () => {
    const redact = createRedactor();
    assert.equal(redact.message('{ "user": "a" }'), '{ "user": "a" }', 'nothing to mask: the text as it was');
    assert.equal(redact.message('{ "token": "t" }'), '{"token":"***"}');
    assert.equal(redact.message('token=t'), 'token=t', 'not JSON: as it was');
    const stream = 'id: 1\r\ndata: {"token":"t","n":1}\r\n\r\n{"secret":"s"}\n: comment\rdata: [{"jwt":"j"}]\n\ndata: {"cut":';
    assert.equal(redact.lines(stream), 'id: 1\r\ndata: {"token":"***","n":1}\r\n\r\n{"secret":"***"}\n: comment\rdata: [{"jwt":"***"}]\n\ndata: {"cut":');
  });
});
