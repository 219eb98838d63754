import type { Session } from '../exchange/session';
import type { Logger } from '../log';
import { registerSecret } from '../secrets';
import type { Settings } from '../settings/types';
import { credentialVariables, isoSeconds } from './env-vars';
import type { GithubRunner } from './github';
import { type ProfilePlan, planProfile, writeStaticProfile } from './profile';

/** Names of the post-step state entries. */
export const STATE_EXPORTED = 'exported-variables';
export const STATE_PROFILE = 'profile';
export const STATE_FILES = 'temporary-files';

export interface GithubDelivery {
  readonly profile?: ProfilePlan;
  /** Refreshable credentials: the caller writes the credential_process profile (it knows the command line). */
  readonly writeRefreshable?: (session: Session) => { plan: ProfilePlan; temporaryFiles: string[] };
}

/** Everything that can be checked about the delivery is checked here, before the first network call. */
export function prepareGithubDelivery(settings: Settings, runner: GithubRunner): GithubDelivery {
  // GITHUB_STATE too: without it the post step could not undo what this step exports.
  runner.requireFiles('GITHUB_ENV', 'GITHUB_OUTPUT', 'GITHUB_STATE');
  if (settings.awsProfile === undefined || settings.refreshableCredentials) return {};
  return { profile: planProfile({ ...settings, awsProfile: settings.awsProfile }) };
}

/**
 * Delivers a session to the workflow: profile files, env, outputs and post-step state. Called only after the whole
 * exchange succeeded; `runner.flush()` then writes each runner file in one append.
 */
export function deliverToGithub(
  settings: Settings,
  delivery: GithubDelivery,
  session: Session,
  runner: GithubRunner,
  log: Logger,
): void {
  if (settings.maskAwsAccountId) {
    registerSecret(session.accountId);
    registerSecret(session.arn);
  }
  runner.setOutput('aws-account-id', session.accountId);
  runner.setOutput('authenticated-arn', session.arn);
  if (session.identityId) runner.setOutput('cognito-identity-id', session.identityId);

  if (session.reused) {
    runner.flush();
    log.info(`Kept the existing credentials of ${session.arn}.`);
    return;
  }

  const exported: Record<string, string> = { AWS_REGION: settings.region, AWS_DEFAULT_REGION: settings.region };
  let profile: ProfilePlan | undefined;
  let temporaryFiles: string[] = [];
  if (delivery.writeRefreshable) {
    ({ plan: profile, temporaryFiles } = delivery.writeRefreshable(session));
    exported.AWS_CONFIG_FILE = profile.configFile;
    exported.AWS_SHARED_CREDENTIALS_FILE = profile.credentialsFile;
    exported.AWS_PROFILE = profile.name;
    // Keys an earlier step exported would outrank the profile in the AWS CLI and most SDKs; every SDK skips empty ones.
    Object.assign(exported, { AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_SESSION_TOKEN: '' });
  } else if (delivery.profile) {
    profile = delivery.profile;
    writeStaticProfile(profile, session, settings.region);
    exported.AWS_PROFILE = profile.name;
  }
  if (settings.outputEnvCredentials && !delivery.writeRefreshable) {
    Object.assign(exported, credentialVariables(session, settings.region));
  }
  for (const [name, value] of Object.entries(exported)) runner.exportVariable(name, value);

  if (settings.outputCredentials) {
    const { credentials } = session;
    runner.setOutput('aws-access-key-id', credentials.accessKeyId);
    runner.setOutput('aws-secret-access-key', credentials.secretAccessKey);
    if (credentials.sessionToken) runner.setOutput('aws-session-token', credentials.sessionToken);
    if (credentials.expiration) runner.setOutput('aws-expiration', isoSeconds(credentials.expiration));
  }

  runner.saveState(STATE_EXPORTED, JSON.stringify(Object.keys(exported)));
  if (profile) runner.saveState(STATE_PROFILE, JSON.stringify(profile));
  if (temporaryFiles.length > 0) runner.saveState(STATE_FILES, JSON.stringify(temporaryFiles));
  runner.flush();

  const expires = session.credentials.expiration
    ? `; they expire at ${isoSeconds(session.credentials.expiration)}`
    : '';
  const where = profile ? ` in profile "${profile.name}"` : '';
  log.info(`Credentials for ${session.arn}${where}${expires}.`);
}
