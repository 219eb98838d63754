import { resolve } from 'node:path';
import { obtainSession } from '../../exchange/obtain';
import { parseSettings } from '../../settings/parse';
import { assertNotSymlink, writeFileAtomic } from '../../sink/atomic-file';
import { credentialVariables } from '../../sink/env-vars';
import { formatVariables, type ShellFormat } from '../../sink/shell-formats';
import { envXtraceWarning } from '../../sink/xtrace';
import { type CommandContext, cliSettingsSource } from '../context';

/** `env`: the credential variables as text for a shell, docker, Jenkins readProperties or PowerShell. */
export async function envCommand(context: CommandContext): Promise<number> {
  // args.ts has already checked the value against the format names.
  const format = (context.invocation.options.get('format') ?? 'export') as ShellFormat;
  const outputFile = context.invocation.options.get('output-file');
  const target = outputFile === undefined ? undefined : resolve(context.cwd, outputFile);
  const settings = parseSettings(cliSettingsSource(context));
  // Checked before the exchange, so a refused path costs no token.
  if (target) assertNotSymlink(target, 'The output file');

  const session = await obtainSession(settings, context.log);
  const text = formatVariables(credentialVariables(session, settings.region), format);
  // `sh -x` echoes what `eval` and `.` run, secrets included.
  const traced = format === 'export' ? envXtraceWarning(context.env, settings.ci.kind === 'jenkins') : undefined;
  if (traced) context.log.warn(traced);
  if (target) {
    writeFileAtomic(target, text);
    context.log.info(`Wrote the credentials for ${session.arn} to ${target} (${format}, mode 0600).`);
  } else {
    context.log.debug(`sink: ${format} lines to stdout; no file written`);
    context.stdout(text);
  }
  return 0;
}
