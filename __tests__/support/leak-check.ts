/**
 * The leak check every black-box test runs over what a process printed.
 *
 *   assertNoSecretLeak(run.stdout + run.stderr, [...endpoint.secrets(), ...sts.secrets(), inputSecret]);
 *   assertMasked(run.stdout, secret)   // an `::add-mask::<secret>` line exists, before any other line with it
 *   findSecretLeaks(output, secrets)   // the offending lines, for custom assertions
 *
 * A secret may appear only inside an `::add-mask::` line (the runner swallows those and masks the value from then
 * on). Anywhere else — plain, URL-encoded or workflow-command-escaped — it is a leak, and the failure message
 * names the line number and secret prefix but never prints the secret itself.
 */

const MASK = '::add-mask::';

function variants(secret: string): string[] {
  const forms = new Set([secret, encodeURIComponent(secret), secret.replace(/%/g, '%25')]);
  return [...forms];
}

export interface SecretLeak {
  readonly line: number;
  /** First 4 characters of the secret, enough to identify which. */
  readonly secretPrefix: string;
}

export function findSecretLeaks(output: string, secrets: readonly (string | undefined)[]): SecretLeak[] {
  const list = secrets.filter((s): s is string => typeof s === 'string' && s.length > 0);
  const leaks: SecretLeak[] = [];
  output.split(/\r?\n/).forEach((line, index) => {
    if (line.startsWith(MASK)) return;
    for (const secret of list) {
      if (variants(secret).some((form) => line.includes(form))) {
        leaks.push({ line: index + 1, secretPrefix: secret.slice(0, 4) });
      }
    }
  });
  return leaks;
}

export function assertNoSecretLeak(output: string, secrets: readonly (string | undefined)[]): void {
  const leaks = findSecretLeaks(output, secrets);
  if (leaks.length > 0) {
    throw new Error(
      `Secret leak: ${leaks.map((l) => `a secret starting "${l.secretPrefix}" on line ${l.line}`).join('; ')}`,
    );
  }
}

/** The secret was masked, and its mask line came before any other line that holds it. */
export function assertMasked(stdout: string, secret: string): void {
  const lines = stdout.split(/\r?\n/);
  const maskLine = lines.indexOf(`${MASK}${secret.replace(/%/g, '%25')}`);
  if (maskLine < 0) throw new Error(`No ::add-mask:: line for the secret starting "${secret.slice(0, 4)}"`);
  const firstUse = lines.findIndex((line) => !line.startsWith(MASK) && line.includes(secret));
  if (firstUse >= 0 && firstUse < maskLine) {
    throw new Error(`The secret starting "${secret.slice(0, 4)}" appears on line ${firstUse + 1} before its mask`);
  }
}
