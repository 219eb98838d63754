import { InputError } from '../errors';
import type { Session } from '../exchange/session';
import type { Settings } from '../settings/types';
import { assertNotSymlink, readIfExists, writeFileAtomic } from './atomic-file';
import { isoSeconds } from './env-vars';
import { hasSection, removeSection, upsertSection } from './ini';

/** What a profile write will touch; decided and checked before any network call. */
export interface ProfilePlan {
  readonly name: string;
  readonly credentialsFile: string;
  readonly configFile: string;
  /** `[default]` in both files; `[profile name]` in the config file otherwise. */
  readonly configSection: string;
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
  };
  assertNotSymlink(plan.credentialsFile, 'The credentials file');
  assertNotSymlink(plan.configFile, 'The config file');
  if (!settings.overwriteAwsProfile) {
    // A refreshable write removes a static section of the same name too, so both files are checked either way.
    const inCredentials = hasSection(readIfExists(plan.credentialsFile), plan.name);
    const inConfig = hasSection(readIfExists(plan.configFile), plan.configSection);
    if (inCredentials || inConfig) {
      throw new InputError(
        `Profile "${plan.name}" already exists in ${inCredentials ? plan.credentialsFile : plan.configFile}.`,
        'Set overwrite-aws-profile to true to replace it, or choose another aws-profile.',
      );
    }
  }
  return plan;
}

/** Static keys: `[name]` in the credentials file, region (and expiration for tools that read it) in the config. */
export function writeStaticProfile(plan: ProfilePlan, session: Session, region: string): void {
  const { credentials } = session;
  const keys: Record<string, string> = {
    aws_access_key_id: credentials.accessKeyId,
    aws_secret_access_key: credentials.secretAccessKey,
    ...(credentials.sessionToken ? { aws_session_token: credentials.sessionToken } : {}),
    ...(credentials.expiration ? { aws_credential_expiration: isoSeconds(credentials.expiration) } : {}),
  };
  const credentialsText = upsertSection(readIfExists(plan.credentialsFile), plan.name, keys);
  const configText = upsertSection(readIfExists(plan.configFile), plan.configSection, { region });
  writeFileAtomic(plan.credentialsFile, credentialsText);
  writeFileAtomic(plan.configFile, configText);
}

/**
 * A profile whose SDK runs `credential_process` whenever its credentials near expiry. The command holds only paths
 * and settings, never a secret. Any static section of the same name is removed: the credentials file would win.
 */
export function writeRefreshableProfile(plan: ProfilePlan, command: string, region: string): void {
  const configText = upsertSection(readIfExists(plan.configFile), plan.configSection, {
    region,
    credential_process: command,
  });
  const credentialsText = readIfExists(plan.credentialsFile);
  if (hasSection(credentialsText, plan.name))
    writeFileAtomic(plan.credentialsFile, removeSection(credentialsText, plan.name));
  writeFileAtomic(plan.configFile, configText);
}

/** Post-step/cleanup: removes exactly the sections a run wrote, leaving everything else as it was. */
export function removeProfile(
  plan: Pick<ProfilePlan, 'name' | 'credentialsFile' | 'configFile' | 'configSection'>,
): void {
  for (const [file, section] of [
    [plan.credentialsFile, plan.name],
    [plan.configFile, plan.configSection],
  ] as const) {
    assertNotSymlink(file, 'The profile file');
    const text = readIfExists(file);
    if (hasSection(text, section)) writeFileAtomic(file, removeSection(text, section));
  }
}
