// What a writer leaves behind when it dies (kill -9) or a write fails (ENOSPC, a failed rename): a lock and 0600
// temp files holding private keys. They are removed on the next start or by the next lock holder, and only when
// their owner is provably gone; a live writer's files are never touched.
import { spawn } from 'node:child_process';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { withDirectoryLock } from '../../src/issuer/key-files';
import { KeyStore, rotateKeys } from '../../src/issuer/keys';
import { processSpace } from '../../src/shared/process-space';
import { removeTempDirs, tempDir } from './support';

// Failures injected into the file system on demand: the next write to a file whose name matches fails with ENOSPC
// after part of the data went out, or the next rename fails with EIO.
let failWriteTo: RegExp | undefined;
let failRename = false;
jest.mock('node:fs/promises', () => {
  const actual = jest.requireActual<typeof import('node:fs/promises')>('node:fs/promises');
  const enospc = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  return {
    ...actual,
    open: async (...args: Parameters<typeof actual.open>) => {
      const handle = await actual.open(...args);
      const pattern = failWriteTo;
      if (pattern?.test(String(args[0]))) {
        failWriteTo = undefined;
        const write = handle.writeFile.bind(handle);
        handle.writeFile = async (data: string | Uint8Array) => {
          await write(String(data).slice(0, 40));
          throw enospc();
        };
      }
      return handle;
    },
    rename: async (...args: Parameters<typeof actual.rename>) => {
      if (failRename) {
        failRename = false;
        throw Object.assign(new Error('EIO: i/o error, rename'), { code: 'EIO' });
      }
      return actual.rename(...args);
    },
  };
});

afterAll(removeTempDirs);

/** A key directory as a previous start left it. */
async function existingKeyDir(): Promise<string> {
  const dir = join(await tempDir(), 'keys');
  await KeyStore.open(dir);
  return dir;
}

/**
 * A real writer killed with SIGKILL mid-write: a child process takes the lock in our format, writes half a temp
 * key file (0600) and kills itself. Returns its (now dead) pid.
 */
function writerKilledMidWrite(dir: string): Promise<number> {
  const script = `
    const fs = require('node:fs'), path = require('node:path');
    const [dir, space] = process.argv.slice(1);
    fs.writeFileSync(path.join(dir, '.keys.lock'), space + ' ' + process.pid + ' 0123abcd\\n', { flag: 'wx', mode: 0o600 });
    fs.writeFileSync(path.join(dir, 'keys.json.' + process.pid + '.0123456789ab.tmp'), '{"version":1,"keys":[{"privateJwk":{"d":"', { mode: 0o600 });
    process.kill(process.pid, 'SIGKILL');
  `;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script, dir, processSpace()], { stdio: 'ignore' });
    child.on('error', reject);
    child.on('exit', (_code, signal) => (signal === 'SIGKILL' ? resolve(child.pid!) : reject(new Error('not killed'))));
  });
}

test('after a writer was killed with SIGKILL, the next start removes its lock and temp file at once', async () => {
  const dir = await existingKeyDir();
  const keysBefore = await readFile(join(dir, 'keys.json'), 'utf8');
  const pid = await writerKilledMidWrite(dir);
  // Things that are not ours stay, even when they look similar.
  await writeFile(join(dir, 'keys.json.bak'), 'operator backup');
  await writeFile(join(dir, 'notes.tmp'), 'operator notes');
  expect((await readdir(dir)).sort()).toContain(`keys.json.${pid}.0123456789ab.tmp`);

  const started = Date.now();
  const warnings: string[] = [];
  const store = await KeyStore.open(dir, { onWarning: (w) => warnings.push(w) });
  expect(Date.now() - started).toBeLessThan(5_000); // no waiting for the lock to age: its owner is provably dead
  expect((await readdir(dir)).sort()).toEqual(['keys.json', 'keys.json.bak', 'notes.tmp', 'request-token.secret']);
  expect(warnings).toEqual([]);
  expect(await readFile(join(dir, 'keys.json'), 'utf8')).toBe(keysBefore);
  expect(store.jwks().keys).toHaveLength(1);
});

test('a rotation after a killed writer breaks the dead lock at once and leaves no temp file', async () => {
  const dir = await existingKeyDir();
  await writerKilledMidWrite(dir);
  const started = Date.now();
  await rotateKeys(dir);
  expect(Date.now() - started).toBeLessThan(5_000);
  expect((await readdir(dir)).sort()).toEqual(['keys.json', 'request-token.secret']);
});

test('a live writer is not disturbed: its lock and temp file stay while another instance starts', async () => {
  const dir = await existingKeyDir();
  const inFlight = join(dir, `keys.json.${process.pid}.aaaaaaaaaaaa.tmp`);
  let release!: () => void;
  let entered!: () => void;
  const holding = new Promise<void>((resolve) => (entered = resolve));
  const writer = withDirectoryLock(dir, async () => {
    await writeFile(inFlight, 'half a key', { mode: 0o600 });
    entered();
    await new Promise<void>((resolve) => (release = resolve));
  });
  await holding;

  await KeyStore.open(dir); // another instance starting now
  expect((await readdir(dir)).sort()).toEqual([
    '.keys.lock',
    'keys.json',
    inFlight.split('/').pop(),
    'request-token.secret',
  ]);
  release();
  await writer;
});

test.each([
  ['another host', 'some-other-host'],
  ['a container with our host name but its own pid namespace', `${hostname()}/other-boot-id/pid:[4026532999]`],
  ['a writer that names only our host name (its pids may live in another namespace)', hostname()],
])('a fresh lock from %s is not judged by a pid that means nothing here', async (_label, space) => {
  const dir = await existingKeyDir();
  await writeFile(join(dir, '.keys.lock'), `${space} 999999 feedface\n`);
  await writeFile(join(dir, 'keys.json.999999.bbbbbbbbbbbb.tmp'), 'its half-written key');
  await KeyStore.open(dir);
  expect((await readdir(dir)).sort()).toEqual([
    '.keys.lock',
    'keys.json',
    'keys.json.999999.bbbbbbbbbbbb.tmp',
    'request-token.secret',
  ]);
});

describe('a failing write leaves neither a temp file nor a lock, and the key set as it was', () => {
  test('ENOSPC while writing the new key set', async () => {
    const dir = await existingKeyDir();
    const before = await readFile(join(dir, 'keys.json'), 'utf8');
    failWriteTo = /keys\.json\.\d+\.[0-9a-f]{12}\.tmp$/;
    await expect(rotateKeys(dir)).rejects.toThrow(/ENOSPC/);
    expect((await readdir(dir)).sort()).toEqual(['keys.json', 'request-token.secret']);
    expect(await readFile(join(dir, 'keys.json'), 'utf8')).toBe(before);
  });

  test('the rename into place fails', async () => {
    const dir = await existingKeyDir();
    const before = await readFile(join(dir, 'keys.json'), 'utf8');
    failRename = true;
    await expect(rotateKeys(dir)).rejects.toThrow(/EIO/);
    expect((await readdir(dir)).sort()).toEqual(['keys.json', 'request-token.secret']);
    expect(await readFile(join(dir, 'keys.json'), 'utf8')).toBe(before);
  });

  test('ENOSPC while writing the lock itself: the empty lock is taken back, so nobody waits for it', async () => {
    const dir = await existingKeyDir();
    failWriteTo = /\.keys\.lock$/;
    await expect(rotateKeys(dir)).rejects.toThrow(/Cannot write the lock .*ENOSPC/);
    expect((await readdir(dir)).sort()).toEqual(['keys.json', 'request-token.secret']);
    const started = Date.now();
    await rotateKeys(dir); // the disk has room again
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  test('ENOSPC on the first start of an empty directory', async () => {
    const dir = join(await tempDir(), 'keys');
    await mkdir(dir, { mode: 0o700 });
    failWriteTo = /request-token\.secret\.\d+\.[0-9a-f]{12}\.tmp$/;
    await expect(KeyStore.open(dir)).rejects.toThrow(/ENOSPC/);
    expect((await readdir(dir)).sort()).toEqual(['keys.json']);
    expect((await stat(join(dir, 'keys.json'))).mode & 0o777).toBe(0o600);
    expect((await KeyStore.open(dir)).jwks().keys).toHaveLength(1);
  });
});
