/**
 * Kept sign-ins are trusted only from a file that nobody else could have written: a planted file (a symbolic link,
 * a file others may read or write) would hand the person someone else's tokens and role credentials.
 */
import { chmodSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSessionFile as readSession, sessionFile } from '../../src/auth/session-file';

const SESSION = { idToken: 'id-token-value', issuer: 'https://issuer.example', clientId: 'laptop' };
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'session-store-'));
  chmodSync(dir, 0o700);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('a private regular file of ours is read', () => {
  writeFileSync(sessionFile(dir, 'work'), JSON.stringify(SESSION), { mode: 0o600 });
  expect(readSession(dir, 'work')).toMatchObject(SESSION);
});

test('a file others may read or write is not a kept sign-in', () => {
  for (const mode of [0o644, 0o620, 0o606]) {
    writeFileSync(sessionFile(dir, 'work'), JSON.stringify(SESSION), { mode });
    chmodSync(sessionFile(dir, 'work'), mode);
    expect(readSession(dir, 'work')).toBeUndefined();
    rmSync(sessionFile(dir, 'work'));
  }
});

test('a symbolic link is not followed, even to a private file', () => {
  const elsewhere = join(dir, 'planted.json');
  writeFileSync(elsewhere, JSON.stringify(SESSION), { mode: 0o600 });
  symlinkSync(elsewhere, sessionFile(dir, 'work'));
  expect(readSession(dir, 'work')).toBeUndefined();
});
