import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../src/errors';
import type { Session } from '../../src/exchange/session';
import { planProfile, staticProfileEdits } from '../../src/sink/profile';
import { undoProfile, writeProfile } from '../../src/sink/profile-write';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'profile-write-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const session = {
  credentials: { accessKeyId: 'ASIANEW', secretAccessKey: 'new-secret', sessionToken: 'new-token' },
} as unknown as Session;

function plan(overwrite: boolean) {
  return planProfile({
    awsProfile: 'ci',
    overwriteAwsProfile: overwrite,
    credentialsFile: join(dir, 'aws', 'credentials'),
    configFile: join(dir, 'aws', 'config'),
  });
}

it('a profile another writer added after planning is not overwritten without overwrite-aws-profile', () => {
  const planned = plan(false);
  // Between the plan (before any request) and the write, another job's `profile` wrote [ci].
  const theirs = '[ci]\naws_access_key_id = AKIATHEIRS\n';
  mkdirSync(join(dir, 'aws'));
  writeFileSync(planned.credentialsFile, theirs);
  let thrown: unknown;
  try {
    writeProfile(planned, staticProfileEdits(planned, session, 'eu-west-1'));
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(InputError);
  expect((thrown as InputError).message).toContain(`Profile "ci" already exists in ${planned.credentialsFile}`);
  expect(readFileSync(planned.credentialsFile, 'utf8')).toBe(theirs);
  expect(existsSync(planned.configFile)).toBe(false);
});

it('the undo record holds what was overwritten; undoing puts it back and removes what the write created', () => {
  const p = plan(true);
  mkdirSync(join(dir, 'aws'));
  const before = '# mine\n[ci]\naws_access_key_id = AKIAMINE\n';
  writeFileSync(p.credentialsFile, before);
  const undo = writeProfile(p, staticProfileEdits(p, session, 'eu-west-1'));
  expect(undo.files).toEqual([
    expect.objectContaining({ section: 'ci', original: ['[ci]', 'aws_access_key_id = AKIAMINE'], created: false }),
    expect.objectContaining({ section: 'profile ci', created: true }),
  ]);
  expect(readFileSync(p.configFile, 'utf8')).toBe('[profile ci]\nregion = eu-west-1\n');
  undoProfile(undo);
  expect(readFileSync(p.credentialsFile, 'utf8')).toBe(before);
  expect(readdirSync(join(dir, 'aws'))).toEqual(['credentials']);
});
