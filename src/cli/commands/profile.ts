import { obtainSession } from '../../exchange/obtain';
import { parseSettings } from '../../settings/parse';
import { isoSeconds } from '../../sink/env-vars';
import { planProfile, refreshableProfileEdits, staticProfileEdits } from '../../sink/profile';
import { credentialProcessCommand, runningTarget } from '../../sink/refreshable';
import { type CommandContext, cliSettingsSource } from '../context';
import { UsageError } from '../usage-error';

/** `profile`: static keys, or a credential_process line that refreshes itself. Checks everything before fetching. */
export async function profileCommand(context: CommandContext): Promise<number> {
  const settings = parseSettings(cliSettingsSource(context));
  const name = settings.awsProfile;
  if (name === undefined) {
    throw new UsageError(
      'profile needs --aws-profile NAME (AWS_PROFILE is not read: it names the profile to use, not the one to write).',
    );
  }
  const refreshable =
    context.invocation.options.get('refreshable')?.toLowerCase() === 'true' || settings.refreshableCredentials;
  const plan = planProfile({ ...settings, awsProfile: name });
  const command = refreshable ? credentialProcessCommand(settings, runningTarget()) : undefined;

  // Fail fast: the role must be assumable before a profile that promises credentials is written.
  const session = await obtainSession(settings, context.log);
  // Both files under their locks, all or nothing; the lock and transaction code loads only here.
  const { writeProfile } = await import('../../sink/profile-write');
  if (command !== undefined) {
    writeProfile(plan, refreshableProfileEdits(plan, command, settings.region));
    context.log.info(
      `Wrote profile "${name}" to ${plan.configFile}: credential_process for ${settings.roleToAssume}, refreshed by the SDK as needed.`,
    );
  } else {
    writeProfile(plan, staticProfileEdits(plan, session, settings.region));
    const expires = session.credentials.expiration ? `; they expire ${isoSeconds(session.credentials.expiration)}` : '';
    context.log.info(
      `Wrote profile "${name}" (${plan.credentialsFile}, ${plan.configFile}) for ${session.arn}${expires}.`,
    );
  }
  return 0;
}
