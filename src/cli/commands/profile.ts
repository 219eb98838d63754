import { obtainSessions } from '../../exchange/obtain';
import { parseSettings } from '../../settings/parse';
import { isoSeconds } from '../../sink/env-vars';
import { planProfile, refreshableProfileEdits, staticProfileEdits } from '../../sink/profile';
import { credentialProcessCommand, profileProcessCommand, runningTarget } from '../../sink/refreshable';
import { type CommandContext, cliSettingsSource } from '../context';
import { UsageError } from '../usage-error';

/**
 * `profile`: static keys, or a credential_process line that refreshes itself; with --profiles, further profiles in
 * the same write. Checks everything before fetching, and writes all the profiles or none.
 */
export async function profileCommand(context: CommandContext): Promise<number> {
  if (context.invocation.options.get('remove')?.toLowerCase() === 'true') {
    return (await import('./profile-remove')).removeProfileCommand(context);
  }
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
  const others = settings.profiles.map((profile) => ({
    profile,
    plan: planProfile({ ...settings, awsProfile: profile.name }),
    command: refreshable ? profileProcessCommand(settings, profile, runningTarget()) : undefined,
  }));
  const command = refreshable ? credentialProcessCommand(settings, runningTarget()) : undefined;

  // Fail fast: every role must be assumable before a profile that promises credentials is written.
  const sessions = await obtainSessions(settings, context.log);
  // All files under their locks, all or nothing; the lock and transaction code loads only here.
  const { writeProfiles } = await import('../../sink/profile-write');
  const session = sessions.primary;
  writeProfiles([
    {
      plan,
      edits:
        command !== undefined
          ? refreshableProfileEdits(plan, command, settings.region)
          : staticProfileEdits(plan, session, settings.region),
    },
    ...others.map((other, index) => ({
      plan: other.plan,
      edits:
        other.command !== undefined
          ? refreshableProfileEdits(other.plan, other.command, other.profile.region)
          : staticProfileEdits(other.plan, sessions.profiles[index]!.session, other.profile.region),
    })),
  ]);
  if (command !== undefined) {
    context.log.info(
      `Wrote profile "${name}" to ${plan.configFile}: credential_process for ${settings.roleToAssume}, refreshed by the SDK as needed.`,
    );
  } else {
    const expires = session.credentials.expiration ? `; they expire ${isoSeconds(session.credentials.expiration)}` : '';
    context.log.info(
      `Wrote profile "${name}" (${plan.credentialsFile}, ${plan.configFile}) for ${session.arn}${expires}.`,
    );
  }
  for (const [index, other] of others.entries()) {
    const how = other.command !== undefined ? 'credential_process' : 'static keys';
    context.log.info(`Wrote profile "${other.profile.name}" (${how}) for ${sessions.profiles[index]!.session.arn}.`);
  }
  return 0;
}
