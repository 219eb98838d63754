import { version } from '../../package.json';
import { stderrLogger } from '../log';
import { exitCodeOf, formatFailure } from '../report';
import { writeStdout } from '../shared/stdio';
import { type Invocation, parseArgs } from './args';
import type { CommandName } from './command-table';
import type { CommandContext, Env } from './context';

type Handler = (context: CommandContext) => Promise<number>;

/**
 * Each command is its own chunk, loaded when run: `credential-process` answering from the cache (the AWS CLI starts
 * it for every command) must not compile the exchange, the token sources or the profile writer.
 */
const HANDLERS: Record<CommandName, () => Promise<Handler>> = {
  exec: async () => (await import('./commands/exec')).execCommand,
  env: async () => (await import('./commands/env')).envCommand,
  'credential-process': async () => (await import('./commands/credential-process')).credentialProcessCommand,
  profile: async () => (await import('./commands/profile')).profileCommand,
  token: async () => (await import('./commands/token')).tokenCommand,
  // The emulator's loader and the policy engine stay out of the other commands' start-up.
  doctor: async () => (await import('./commands/doctor')).doctorCommand,
  auth: async () => (await import('./commands/auth')).authCommand,
  logout: async () => (await import('./commands/logout')).logoutCommand,
  roles: async () => (await import('./commands/roles')).rolesCommand,
  console: async () => (await import('./commands/console')).consoleCommand,
  // The IAM and STS clients and the policy engine load only for the audience automation.
  audiences: async () => (await import('./commands/audiences')).audiencesCommand,
};

/**
 * The command-line interface (Jenkins `sh` steps, other CIs, a laptop). stdout carries only what the command was
 * asked for; every message goes to stderr through the redacting logger, and no GitHub workflow command is ever
 * printed (nothing here listens for secrets to mask). Both are written synchronously (shared/stdio.ts), so once this
 * returns nothing is left to flush. Returns the process exit code.
 */
export async function runCli(argv: readonly string[], env: Env): Promise<number> {
  let invocation: Invocation;
  try {
    invocation = parseArgs(argv);
  } catch (error) {
    stderrLogger({ debug: false }).error(formatFailure(error, false));
    return exitCodeOf(error);
  }
  if (invocation.kind === 'version') {
    writeStdout(`keyless-aws ${version}\n`);
    return 0;
  }
  if (invocation.kind === 'help') {
    // The help prose is a chunk of its own: a run that does not ask for it does not compile it.
    const { commandHelp, globalHelp } = await import('./help');
    writeStdout(invocation.command ? commandHelp(invocation.command) : globalHelp(version));
    return 0;
  }
  const debug = invocation.debug || env.KEYLESS_AWS_DEBUG === '1' || env.RUNNER_DEBUG === '1';
  // credential_process runs unattended and SDKs may log its stderr: only problems are worth saying there.
  const unattended =
    invocation.command === 'credential-process' ||
    (invocation.command === 'auth' &&
      (invocation.options.get('format') ?? 'credential-process') === 'credential-process');
  const quiet = invocation.quiet || (unattended && !debug);
  const log = stderrLogger({ debug, quiet });
  try {
    const handler = await HANDLERS[invocation.command]();
    return await handler({ invocation, env, log, stdout: writeStdout, cwd: process.cwd() });
  } catch (error) {
    log.error(formatFailure(error, debug));
    return exitCodeOf(error);
  }
}
