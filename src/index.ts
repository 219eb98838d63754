// The SDK warns about Node 20 on stderr at load time; that line is noise for our users, and the action runs node24.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { runAction } from './action';
import { runCli } from './cli/main';

/** One bundle, two faces: the GitHub Action when the runner starts it, the CLI everywhere else. */
async function main(): Promise<number> {
  const args = process.argv.slice(2);
  if (process.env.GITHUB_ACTIONS === 'true' && args.length === 0) return runAction(process.env);
  return runCli(args, process.env);
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
