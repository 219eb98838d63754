/**
 * `npm run demo`: the whole keyless chain, offline, in a few seconds. This process hosts the token services and the
 * AWS emulator (see world.ts); `dist/index.js` runs as a child exactly as a runner or a Jenkins agent would start it,
 * and every set of credentials it hands back is checked with a SigV4-signed GetCallerIdentity against the emulator.
 * Each step says what it is and the command a user would write for it. `npm run demo -- jenkins` runs the README's
 * Jenkins walkthrough instead (walkthrough.ts).
 */
import { dirname, resolve } from 'node:path';
import { describeStep } from './show';
import { demoSteps, type Step } from './steps';
import { runJenkinsWalkthrough } from './walkthrough';
import { startWorld } from './world';

// From argv, not __dirname: ncc would otherwise copy the files named below into dist/demo as assets.
const root = resolve(dirname(process.argv[1] ?? '.'), '..', '..');

/** Runs one step and prints it: ✔ or ✘ with its time, then what it is, what a user would write, what happened. */
async function runStep(step: Step): Promise<boolean> {
  const started = Date.now();
  let outcome: string[];
  let passed = true;
  try {
    outcome = await step.run();
  } catch (error) {
    passed = false;
    outcome = (error as Error).message.split('\n');
  }
  const mark = passed ? `✔ ${step.title} (${Date.now() - started} ms)` : `✘ ${step.title}`;
  console.log(
    `${mark}\n${describeStep(step.context, step.equivalent, outcome)
      .map((line) => `    ${line}`)
      .join('\n')}\n`,
  );
  return passed;
}

async function main(): Promise<number> {
  // The SDK's Node-version notice is noise here; the clients are created after this line.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const started = Date.now();
  const world = await startWorld(root);
  console.log(
    `keyless-aws demo — issuers ${world.github.issuerUrl} (on ${world.github.url}), ${world.jenkins.issuerUrl} ` +
      `(on ${world.jenkins.url}); AWS emulator ${world.emulator.url}\n`,
  );
  let failures = 0;
  try {
    for (const step of demoSteps(world)) if (!(await runStep(step))) failures++;
  } finally {
    await world.close();
  }
  const took = `${Date.now() - started} ms`;
  console.log(
    failures === 0
      ? `Every step behaved as expected (${took}).`
      : `${failures} step(s) did not behave as expected (${took}).`,
  );
  return failures === 0 ? 0 : 1;
}

/** `npm run demo` runs the chain; `npm run demo -- jenkins` the README's Jenkins walkthrough. */
function run(mode: string | undefined): Promise<number> {
  if (mode === undefined) return main();
  if (mode === 'jenkins') return runJenkinsWalkthrough(root);
  console.error(`demo: unknown mode "${mode}"; run \`npm run demo\` or \`npm run demo -- jenkins\`.`);
  return Promise.resolve(2);
}

run(process.argv[2]).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`demo failed to start: ${(error as Error).message}`);
    process.exitCode = 1;
  },
);
