import * as nodeModule from 'node:module';

// Node 22+ (the action's node24) keeps compiled code of the chunks on disk: a second run on the same machine (several
// steps of one job, self-hosted runners, Jenkins agents) skips most of the compile cost. Absent on Node 20.
(nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.();

// The SDK warns about Node 20 on stderr at load time; that line is noise for our users, and the action runs node24.
// The CLI gets the environment as the user gave it, so `exec` does not pass our setting on to the program.
const SDK_WARNING_SWITCH = 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED';
const userEnv: NodeJS.ProcessEnv = { ...process.env };
process.env[SDK_WARNING_SWITCH] ??= 'true';

// Under debug, stack traces point into src/: the maps beside the bundles are read for the chunks loaded from here
// on. Off by default, so the normal path never reads a map.
const DEBUG_REQUESTED =
  process.argv.includes('--debug') || process.env.KEYLESS_AWS_DEBUG === '1' || process.env.RUNNER_DEBUG === '1';
if (DEBUG_REQUESTED) process.setSourceMapsEnabled(true);

/** One bundle, two faces: the GitHub Action when the runner starts it, the CLI everywhere else. */
async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const action = process.env.GITHUB_ACTIONS === 'true' && args.length === 0;
  // Each face is its own chunk: the action does not compile the CLI, nor the CLI the runner plumbing.
  if (!action) {
    const code = await (await import('./cli/main')).runCli(args, userEnv);
    // The run ends when its answer is out, even if an attempt abandoned at the deadline still holds a socket: neither
    // a Jenkins step nor an SDK waiting on credential_process may hang on it. The CLI writes synchronously to the
    // file descriptors (shared/stdio.ts), so its answer is out already; asking the streams to flush would build them
    // (and load `net`) just to find nothing queued.
    process.exit(code);
  }
  const code = await (await import('./action')).runAction(process.env);
  // The same for the action, whose runner output goes through process.stdout: writes are ordered, so these callbacks
  // run once earlier output is flushed.
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
  return code;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  async (error: unknown) => {
    process.exitCode = 1;
    // One line, no command syntax, no registered secret: the runner reads stderr for workflow commands too. Loaded
    // here, on the rare failure path, so start-up does not pay for it.
    const [{ inertLine, oneLine }, { redact }] = await Promise.all([import('./printable'), import('./secrets')]);
    const message = oneLine(redact(error instanceof Error ? error.message : String(error)));
    process.stderr.write(`${inertLine(`keyless-aws: unexpected failure: ${message}`)}\n`);
    // Under debug, the stack (mapped into src/), each frame made inert the same way.
    if (DEBUG_REQUESTED && error instanceof Error && error.stack) {
      const frames = redact(error.stack).split('\n').slice(1);
      process.stderr.write(frames.map((frame) => `${inertLine(frame)}\n`).join(''));
    }
  },
);
