import { obtainSession } from '../../exchange/obtain';
import { parseSettings } from '../../settings/parse';
import { credentialVariables, isoSeconds } from '../../sink/env-vars';
import { programEnvironment, runProgram } from '../../sink/exec';
import { execXtraceWarning } from '../../sink/xtrace';
import { type CommandContext, cliSettingsSource } from '../context';

/** `exec -- program args…`: the credentials live only in the program's environment; nothing is printed. */
export async function execCommand(context: CommandContext): Promise<number> {
  const settings = parseSettings(cliSettingsSource(context));
  const session = await obtainSession(settings, context.log);
  const [program, ...args] = context.invocation.program;
  const expires = session.credentials.expiration ? ` (expire ${isoSeconds(session.credentials.expiration)})` : '';
  context.log.info(`Running ${program} with credentials for ${session.arn}${expires}.`);
  context.log.debug(`sink: AWS_* variables in the environment of ${program} only; no file written`);
  const traced = execXtraceWarning(program!, args, context.env, context.cwd);
  if (traced) context.log.warn(traced);
  return runProgram({
    program: program!,
    args,
    env: programEnvironment(context.env, credentialVariables(session, settings.region)),
    log: context.log,
    interactive: process.stdin.isTTY === true,
  });
}
