// The name helpers the auth atoms judge values by: how identifiers split into
// words, which names hold a password, and which paths are tests.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CODE_FILES, TEST_FILES } from '../src/kit/files.js';
import { isPasswordHashName, isPasswordName, words } from '../src/kit/names.js';
import { globMatcher } from '../src/globs.js';

test('words split camelCase, snake_case, kebab-case and acronyms', () => {
  assert.equal(words('resetPasswordToken'), ['reset', 'password', 'token']);
  assert.equal(words('X-API-Key'), ['x', 'api', 'key']);
  assert.equal(words('JWT_SECRET'), ['jwt', 'secret']);
  assert.equal(words('parseHTTPResponse'), ['parse', 'http', 'response']);
});

test('password names: the password itself, not what is about it', () => {
  for (const yes of ['password', 'newPassword', 'plain_pwd', 'passwordInput', 'pass', 'userPassphrase'])
    assert.ok(isPasswordName(yes), yes);
  for (const no of [
    'passwordHash',
    'resetPasswordToken',
    'passwordPolicy',
    'bypass',
    'compass',
    'passport',
    'passwordLength',
  ])
    assert.not.ok(isPasswordName(no), no);
  for (const yes of ['passwordHash', 'hashed_password', 'password_digest', 'encryptedPassword'])
    assert.ok(isPasswordHashName(yes), yes);
  assert.not.ok(isPasswordHashName('fileHash'));
});

test('tests, specs and fixtures are left out of the auth atoms; code beside them is not', () => {
  const shipped = globMatcher([...CODE_FILES, ...TEST_FILES]);
  for (const test of [
    'test/a.js',
    'src/__tests__/a.ts',
    'src/auth.spec.ts',
    'src/a.test.mjs',
    'fixtures/x.js',
    'packages/x/e2e/login.ts',
  ])
    assert.not.ok(shipped(test), test);
  for (const code of [
    'src/testing-utils.ts',
    'src/attestation.ts',
    'src/contest/run.js',
    'src/specification.ts',
    'app/login/route.ts',
  ])
    assert.ok(shipped(code), code);
});

test.run();
