import { oneLine } from './printable';

/**
 * The one registry of secret values seen in this process. Loggers pass every line through `redact`, so even a
 * message built from an unexpected source cannot print a registered secret; the GitHub sink also turns each
 * registration into an `::add-mask::` command before anything else can print it.
 */
type MaskListener = (secret: string) => void;

const known = new Set<string>();
const listeners: MaskListener[] = [];

/** Short values would mask innocent text everywhere (GitHub refuses them too); they are not secrets we issue. */
const MIN_SECRET_LENGTH = 8;

export function registerSecret(value: string | undefined): void {
  if (value === undefined || value.length < MIN_SECRET_LENGTH || known.has(value)) return;
  known.add(value);
  for (const listener of listeners) listener(value);
}

export function onSecret(listener: MaskListener): void {
  listeners.push(listener);
  for (const value of known) listener(value);
}

/** mask-aws-account-id: account ids we never learned (a source account named in a denial) are masked too. */
let accountIdsMasked = false;
const ACCOUNT_ID = /(?<!\d)\d{12}(?!\d)/g;

export function maskAccountIds(): void {
  accountIdsMasked = true;
}

export function redact(text: string): string {
  let out = text;
  for (const value of known) {
    if (out.includes(value)) out = out.split(value).join('***');
  }
  return accountIdsMasked ? out.replace(ACCOUNT_ID, '***') : out;
}

/** Shapes of the credentials users paste into the wrong place, and what to call them. */
const SECRET_SHAPES: readonly [RegExp, string][] = [
  [/^[\w-]+\.[\w-]+\.[\w-]*$/, 'a JWT (an ID or request token)'],
  [/^(?:AKIA|ASIA)[A-Z0-9]{16}$/, 'an AWS access key id'],
  [/^[A-Za-z0-9+/]{40}$/, 'an AWS secret access key'],
  [/^(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_\w{20,})$/, 'a GitHub token'],
  [/-----BEGIN [A-Z ]+-----/, 'a PEM key or certificate'],
  // Long runs of letters and digits with no word structure: session tokens, API keys, passwords.
  [/^(?=.*[A-Z])(?=.*[a-z])(?=.*\d)[A-Za-z0-9+/=_-]{20,}$/, 'a random token or key'],
];

const MAX_SHOWN_LENGTH = 200;

function characterClasses(value: string): string {
  const classes = [
    [/[a-z]/, 'lower-case letters'],
    [/[A-Z]/, 'upper-case letters'],
    [/\d/, 'digits'],
    [/\s/, 'whitespace'],
    [/[^\w\s]/, 'punctuation'],
  ] as const;
  const found = classes.filter(([pattern]) => pattern.test(value)).map(([, name]) => name);
  return found.length > 1 ? `${found.slice(0, -1).join(', ')} and ${found.at(-1)}` : (found[0] ?? 'nothing');
}

/**
 * How a value the user gave is quoted back in an error message. A value that could be a credential that went into the
 * wrong place (a token pasted into role-to-assume, say) is never printed: the message describes its shape instead
 * (length, character classes, what it looks like), which is enough to recognise the mistake. Anything else is
 * shown quoted, as one line.
 */
export function shownValue(value: string): string {
  const shape = SECRET_SHAPES.find(([pattern]) => pattern.test(value));
  if (shape === undefined && value.length <= MAX_SHOWN_LENGTH && !known.has(value)) {
    return `"${oneLine(value)}"`;
  }
  const looks = shape ? ` that looks like ${shape[1]}` : '';
  return `a ${value.length}-character value (${characterClasses(value)})${looks}; not shown`;
}
