import { removeBuildCache } from '../../cache/build-cleanup';
import { detectCi } from '../../settings/ci-context';
import { parseProfileTarget, parseTokenSettings } from '../../settings/parse';
import { removeProfile } from '../../sink/profile-remove';
import { parseArgs } from '../args';
import { type CommandContext, cliSettingsSource } from '../context';
import { UsageError } from '../usage-error';

/**
 * `profile --remove`: the profile's sections keyless-aws wrote, then the cached credentials of the build its
 * credential_process line fetched for. Removing a profile that is not there is not an error: the end state is asked.
 */
export async function removeProfileCommand(context: CommandContext): Promise<number> {
  const { options, settings } = context.invocation;
  if (settings.has('profiles') || options.has('refreshable')) {
    throw new UsageError(
      `profile --remove takes no ${settings.has('profiles') ? '--profiles' : '--refreshable'}: it removes the one profile --aws-profile names, whatever its kind.`,
      'Drop the flag; run profile --remove once per profile name.',
    );
  }
  const target = parseProfileTarget(cliSettingsSource(context));
  const name = target.awsProfile;
  if (name === undefined) {
    throw new UsageError(
      'profile --remove needs --aws-profile NAME (AWS_PROFILE is not read: it names the profile to use, not the one to remove).',
    );
  }
  const result = removeProfile({ ...target, name, overwrite: target.overwriteAwsProfile });
  if (result.removed.length === 0) {
    context.log.info(
      `Profile "${name}" is in neither ${target.credentialsFile} nor ${target.configFile}: nothing to remove.`,
    );
  } else {
    context.log.info(`Removed profile "${name}": ${result.removed.join(', ')}.`);
  }
  if (result.processArgs) removeCacheOf(result.processArgs, context);
  return 0;
}

/**
 * The line names the token source (and its file); the build is the one whose token this environment fetches, as in
 * the post step. A cache that cannot be cleaned does not undo the removal: it says so, and entries expire anyway.
 */
function removeCacheOf(processArgs: readonly string[], context: CommandContext): void {
  try {
    const invocation = parseArgs(processArgs);
    if (invocation.kind !== 'run') return;
    const tokenSettings = parseTokenSettings({
      ...cliSettingsSource(context),
      explicit: (setting) => invocation.settings.get(setting),
    });
    const count = removeBuildCache(tokenSettings.source, detectCi(context.env).vars, context.env);
    context.log.info(`Removed ${count} cached credential ${count === 1 ? 'entry' : 'entries'} of this build.`);
  } catch (error) {
    context.log.warn(
      `The cached credentials of this build were not removed (${error instanceof Error ? error.message : String(error)}); they expire on their own.`,
    );
  }
}
