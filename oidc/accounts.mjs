// The demo accounts and the signing keys of the embedded provider.

import { randomBytes, timingSafeEqual, createHash, generateKeyPairSync } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync, mkdirSync, chmodSync } from 'node:fs';
import { dirname } from 'node:path';

// Signing keys: a JWKS of private keys, the first one signs. Made at first start (mode 0600).
export function loadKeys(path) {
  if (!existsSync(path)) {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwk = { ...privateKey.export({ format: 'jwk' }), alg: 'RS256', use: 'sig' };
    jwk.kid = createHash('sha256').update(jwk.n).digest('base64url').slice(0, 16);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, JSON.stringify({ keys: [jwk] }, null, 2), { mode: 0o600 });
    chmodSync(path, 0o600);
  }
  const jwks = JSON.parse(readFileSync(path, 'utf8'));
  if (!Array.isArray(jwks.keys) || jwks.keys.length === 0) throw new Error(`${path}: no keys`);
  for (const key of jwks.keys) {
    if (!key.d || !key.kid) throw new Error(`${path}: every key is a private key with a kid`);
  }
  return jwks;
}

export function loadUsers(path) {
  const users = JSON.parse(readFileSync(path, 'utf8'));
  const byName = new Map();
  const bySub = new Map();
  for (const user of users) {
    for (const field of ['sub', 'username', 'password', 'name', 'org', 'roles']) {
      if (!user[field]) throw new Error(`${path}: ${user.username ?? '?'}: ${field} missing`);
    }
    byName.set(user.username, user);
    bySub.set(user.sub, user);
  }
  return { byName, bySub };
}

const digest = (text) => createHash('sha256').update(String(text)).digest();

export function checkPassword(user, password) {
  // Compare digests so the time taken says nothing about the demo password.
  return timingSafeEqual(digest(user?.password ?? randomBytes(16)), digest(password));
}

// Repeated failures for one username lock it for a while (unknown names too, so the
// answer tells nothing about which names exist).
const LOCK_AFTER = 5;
const LOCK_MS = 5 * 60 * 1000;
const failures = new Map();

export function lockedOut(name) {
  const entry = failures.get(name);
  return Boolean(entry && entry.count >= LOCK_AFTER && Date.now() - entry.since < LOCK_MS);
}

export function recordFailure(name) {
  if (failures.size > 10000) failures.clear();
  const entry = failures.get(name);
  if (!entry || Date.now() - entry.since >= LOCK_MS) failures.set(name, { count: 1, since: Date.now() });
  else entry.count += 1;
}

export function forgetFailures(name) {
  failures.delete(name);
}
