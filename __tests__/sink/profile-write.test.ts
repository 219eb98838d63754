import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../src/errors';
import type { Session } from '../../src/exchange/session';
import { planProfile, staticProfileEdits } from '../../src/sink/profile';
import { undoProfile, writeProfile, writeProfiles } from '../../src/sink/profile-write';

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

describe('several profiles in one write', () => {
  const named = (name: string, overwrite = false) =>
    planProfile({
      awsProfile: name,
      overwriteAwsProfile: overwrite,
      credentialsFile: join(dir, 'aws', 'credentials'),
      configFile: join(dir, 'aws', 'config'),
    });
  const writes = (...plans: ReturnType<typeof named>[]) =>
    plans.map((p) => ({ plan: p, edits: staticProfileEdits(p, session, 'eu-west-1') }));

  it('one read-modify-write per file holds every profile; undoing them in reverse leaves nothing', () => {
    const undos = writeProfiles(writes(named('staging'), named('prod')));
    const credentials = readFileSync(join(dir, 'aws', 'credentials'), 'utf8');
    expect(credentials).toMatch(/\[staging\][^[]*ASIANEW[\s\S]*\[prod\][^[]*ASIANEW/);
    expect(readFileSync(join(dir, 'aws', 'config'), 'utf8')).toContain('[profile staging]');
    expect(undos.map((u) => u.name)).toEqual(['staging', 'prod']);
    for (const undo of [...undos].reverse()) undoProfile(undo);
    expect(existsSync(join(dir, 'aws'))).toBe(false);
  });

  it('one profile that may not be written stops all of them: both files as they were', () => {
    // Planned while [prod] was absent; another job added it before the write.
    const planned = writes(named('staging'), named('prod'));
    mkdirSync(join(dir, 'aws'));
    const before = '[prod]\naws_access_key_id = AKIATHEIRS\n';
    writeFileSync(join(dir, 'aws', 'credentials'), before);
    expect(() => writeProfiles(planned)).toThrow('Profile "prod" already exists');
    expect(readFileSync(join(dir, 'aws', 'credentials'), 'utf8')).toBe(before);
    expect(readdirSync(join(dir, 'aws'))).toEqual(['credentials']);
  });

  it('a failure after the commit rolls every profile back', () => {
    expect(() =>
      writeProfiles(writes(named('staging'), named('prod')), () => {
        throw new Error('runner file failed');
      }),
    ).toThrow('runner file failed');
    expect(existsSync(join(dir, 'aws'))).toBe(false);
  });
});
