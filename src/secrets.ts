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

export function redact(text: string): string {
  let out = text;
  for (const value of known) {
    if (out.includes(value)) out = out.split(value).join('***');
  }
  return out;
}

const SECRET_SHAPES = [
  /^[\w-]+\.[\w-]+\.[\w-]*$/, // a JWT (ID token, request token)
  /^(?:AKIA|ASIA)[A-Z0-9]{16}$/, // an access key id
  /^[A-Za-z0-9+/]{40}$/, // a secret access key
];

/**
 * How a value the user typed is quoted back in an error message: as is, unless it looks like a credential that went
 * into the wrong place (a token after a bare boolean flag, say), which is described instead of printed.
 */
export function shownValue(value: string): string {
  const suspicious = value.length > 200 || SECRET_SHAPES.some((shape) => shape.test(value));
  return suspicious ? `(a ${value.length}-character value that looks like a credential, not shown)` : `"${value}"`;
}
