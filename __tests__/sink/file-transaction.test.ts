import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commitFileEdits, type FileEdit } from '../../src/sink/file-transaction';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'file-tx-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const append = (path: string, line: string, secret = false): FileEdit => ({
  path,
  what: 'The test file',
  secret,
  edit: (text) => `${text}${line}\n`,
});

it('a failure after every file was written puts back their bytes and modes, and removes what it created', () => {
  const existing = join(dir, 'existing');
  writeFileSync(existing, 'keep me\r\n');
  chmodSync(existing, 0o640);
  const created = join(dir, 'new', 'deeper', 'created');
  expect(() =>
    commitFileEdits([append(existing, 'added', true), append(created, 'added')], (files) => {
      // Both were written when the follow-up runs.
      expect(readFileSync(existing, 'utf8')).toBe('keep me\r\nadded\n');
      expect(files.map((f) => [f.created, f.createdDirs.length])).toEqual([
        [false, 0],
        [true, 2],
      ]);
      throw new Error('GITHUB_STATE failed');
    }),
  ).toThrow('GITHUB_STATE failed');
  expect(readFileSync(existing, 'utf8')).toBe('keep me\r\n');
  expect(statSync(existing).mode & 0o777).toBe(0o640);
  expect(readdirSync(dir)).toEqual(['existing']);
});

it('a failure at the second write restores the first (a name with no room for its temp file)', () => {
  const first = join(dir, 'credentials');
  writeFileSync(first, '[other]\n');
  const second = join(dir, 'c'.repeat(240));
  writeFileSync(second, '[profile other]\n');
  expect(() => commitFileEdits([append(first, '[ci]'), append(second, '[profile ci]')])).toThrow(
    /Could not write the test file .*ENAMETOOLONG.*every file was left as it was/,
  );
  expect(readFileSync(first, 'utf8')).toBe('[other]\n');
  expect(readFileSync(second, 'utf8')).toBe('[profile other]\n');
  expect(readdirSync(dir).sort()).toEqual(['c'.repeat(240), 'credentials']);
});

it('keeps an existing file’s mode, narrows it to the owner for a secret, creates new files 0600', () => {
  const plain = join(dir, 'config');
  const secret = join(dir, 'credentials');
  for (const file of [plain, secret]) {
    writeFileSync(file, '');
    chmodSync(file, 0o644);
  }
  const fresh = join(dir, 'fresh');
  commitFileEdits([append(plain, 'x'), append(secret, 'x', true), append(fresh, 'x')]);
  expect(statSync(plain).mode & 0o777).toBe(0o644);
  expect(statSync(secret).mode & 0o777).toBe(0o600);
  expect(statSync(fresh).mode & 0o777).toBe(0o600);
});

it('a symlink put in place of the file after planning is refused at write time; its target is untouched', () => {
  const target = join(dir, 'elsewhere');
  writeFileSync(target, 'not yours\n');
  const link = join(dir, 'credentials');
  symlinkSync(target, link);
  expect(() => commitFileEdits([append(link, 'secret', true)])).toThrow(/symbolic link/);
  expect(lstatSync(link).isSymbolicLink()).toBe(true);
  expect(readFileSync(target, 'utf8')).toBe('not yours\n');
  expect(readdirSync(dir).sort()).toEqual(['credentials', 'elsewhere']);
});

it('an edit that changes nothing writes nothing and creates no directory', () => {
  const untouched = join(dir, 'sub', 'credentials');
  const written = join(dir, 'config');
  const same: FileEdit = { path: untouched, what: 'The test file', secret: true, edit: (text) => text };
  const files = commitFileEdits([same, append(written, 'x')]);
  expect(files.map((f) => f.path)).toEqual([written]);
  expect(readdirSync(dir)).toEqual(['config']);
});

it('removeWhenEmpty deletes a file left with nothing but blank lines; otherwise an empty file stays', () => {
  const ours = join(dir, 'ours');
  const theirs = join(dir, 'theirs');
  mkdirSync(join(dir, 'keep'));
  writeFileSync(ours, '[x]\n');
  writeFileSync(theirs, '[x]\n');
  commitFileEdits([
    { path: ours, what: 'The test file', secret: false, removeWhenEmpty: true, edit: () => '\n' },
    { path: theirs, what: 'The test file', secret: false, edit: () => '' },
  ]);
  expect(existsSync(ours)).toBe(false);
  expect(readFileSync(theirs, 'utf8')).toBe('');
});

it('under the lock, removes temp files a killed writer left beside the file (they may hold keys), nothing else', () => {
  const file = join(dir, 'credentials');
  writeFileSync(join(dir, '.credentials.0123456789ab.tmp'), 'aws_secret_access_key = leftover\n');
  writeFileSync(join(dir, '.credentials.backup'), 'mine\n');
  writeFileSync(join(dir, '.config.0123456789ab.tmp'), 'not this file’s\n');
  commitFileEdits([append(file, '[ci]', true)]);
  expect(readdirSync(dir).sort()).toEqual(['.config.0123456789ab.tmp', '.credentials.backup', 'credentials']);
});

it('a file the edit leaves unchanged is neither locked nor its directory created (a read-only mount stays usable)', () => {
  // A regular file where the directory would be: creating a lock or a directory there fails (ENOTDIR).
  writeFileSync(join(dir, 'mounted'), '');
  const unchanged: FileEdit = {
    path: join(dir, 'mounted', 'credentials'),
    what: 'The test file',
    secret: true,
    edit: (text) => text,
  };
  const written = join(dir, 'config');
  expect(commitFileEdits([unchanged, append(written, 'x')]).map((f) => f.path)).toEqual([written]);
  expect(readFileSync(written, 'utf8')).toBe('x\n');
});
