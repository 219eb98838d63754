import { resolve } from 'node:path';
import { InputError } from '../errors';
import type { Session } from '../exchange/session';
import type { Settings } from '../settings/types';
import { assertNotSymlink, readIfExists } from './atomic-file';
import { isoSeconds } from './env-vars';
import type { FileEdit } from './file-transaction';
import { hasSection, removeSection, upsertSection } from './ini';

/** What a profile write will touch; decided and checked before any network call. */
export interface ProfilePlan {
  readonly name: string;
  readonly credentialsFile: string;
  readonly configFile: string;
  /** `[default]` in both files; `[profile name]` in the config file otherwise. */
  readonly configSection: string;
  /** overwrite-aws-profile: without it, a section of this name found even at write time stops the write. */
  readonly overwrite: boolean;
}

export function configSectionName(name: string): string {
  return name === 'default' ? 'default' : `profile ${name}`;
}

/**
 * Checks that the profile can be written as asked: no symlinked files, and no existing section unless
 * overwrite-aws-profile. Raised as input errors before anything is fetched.
 */
export function planProfile(
  settings: Pick<Settings, 'overwriteAwsProfile' | 'credentialsFile' | 'configFile'> & { awsProfile: string },
): ProfilePlan {
  const plan: ProfilePlan = {
    name: settings.awsProfile,
    credentialsFile: settings.credentialsFile,
    configFile: settings.configFile,
    configSection: configSectionName(settings.awsProfile),
    overwrite: settings.overwriteAwsProfile,
  };
  if (resolve(plan.credentialsFile) === resolve(plan.configFile)) {
    throw new InputError(
      `The credentials file and the config file are both ${plan.configFile}.`,
      'Point AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE at two different files.',
    );
  }
  assertNotSymlink(plan.credentialsFile, 'The credentials file');
  assertNotSymlink(plan.configFile, 'The config file');
  // A refreshable write removes a static section of the same name too, so both files are checked either way.
  refuseExisting(plan, plan.credentialsFile, readIfExists(plan.credentialsFile));
  refuseExisting(plan, plan.configFile, readIfExists(plan.configFile));
  return plan;
}

/**
 * Checked when planning (before any request) and again on the text read under the lock: another writer may have
 * added the profile in between, and without overwrite-aws-profile it is theirs to keep.
 */
function refuseExisting(plan: ProfilePlan, file: string, text: string): void {
  if (plan.overwrite || !hasSection(text, sectionIn(plan, file))) return;
  throw new InputError(
    `Profile "${plan.name}" already exists in ${file}.`,
    'Set overwrite-aws-profile to true to replace it, or choose another aws-profile.',
  );
}

/** Static keys: `[name]` in the credentials file, region (and expiration for tools that read it) in the config. */
export function staticProfileEdits(plan: ProfilePlan, session: Session, region: string): FileEdit[] {
  const { credentials } = session;
  const keys: Record<string, string> = {
    aws_access_key_id: credentials.accessKeyId,
    aws_secret_access_key: credentials.secretAccessKey,
    ...(credentials.sessionToken ? { aws_session_token: credentials.sessionToken } : {}),
    ...(credentials.expiration ? { aws_credential_expiration: isoSeconds(credentials.expiration) } : {}),
  };
  return [credentialsEdit(plan, (text) => upsertSection(text, plan.name, keys)), configEdit(plan, { region })];
}

/**
 * A profile whose SDK runs `credential_process` whenever its credentials near expiry. The command holds only paths
 * and settings, never a secret. Any static section of the same name is removed: the credentials file would win.
 */
export function refreshableProfileEdits(plan: ProfilePlan, command: string, region: string): FileEdit[] {
  return [
    credentialsEdit(plan, (text) => removeSection(text, plan.name)),
    configEdit(plan, { region, credential_process: command }),
  ];
}

function credentialsEdit(plan: ProfilePlan, edit: (text: string) => string): FileEdit {
  return guardedEdit(plan, { path: plan.credentialsFile, what: 'The credentials file', secret: true, edit });
}

function configEdit(plan: ProfilePlan, values: Record<string, string>): FileEdit {
  const edit = (text: string) => upsertSection(text, plan.configSection, values);
  return guardedEdit(plan, { path: plan.configFile, what: 'The config file', secret: false, edit });
}

/** The edit first re-checks, on the text read under the lock, that it may touch the profile. */
function guardedEdit(plan: ProfilePlan, edit: FileEdit): FileEdit {
  return {
    ...edit,
    edit: (text) => {
      refuseExisting(plan, edit.path, text);
      return edit.edit(text);
    },
  };
}

/** The section each file of the profile holds: `[name]` in credentials, `[profile name]`/`[default]` in config. */
export function sectionIn(plan: ProfilePlan, file: string): string {
  return file === plan.credentialsFile ? plan.name : plan.configSection;
}
