// The SDK warns about Node 20 on stderr at load time; that line is noise for our users, and the action runs node24.
// The CLI gets the environment as the user gave it, so `exec` does not pass our setting on to the program.
const SDK_WARNING_SWITCH = 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED';
const userEnv: NodeJS.ProcessEnv = { ...process.env };
process.env[SDK_WARNING_SWITCH] ??= 'true';

import { runAction } from './action';
import { runCli } from './cli/main';

/** One bundle, two faces: the GitHub Action when the runner starts it, the CLI everywhere else. */
async function main(): Promise<number> {
  const args = process.argv.slice(2);
  if (process.env.GITHUB_ACTIONS === 'true' && args.length === 0) return runAction(process.env);
  const code = await runCli(args, userEnv);
  // A CLI ends when its answer is out, even if an attempt abandoned at the deadline still holds a socket: a
  // Jenkins step must not hang on it. Writes are ordered, so these callbacks run once earlier output is flushed.
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
  return code;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `keyless-aws: unexpected failure: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
