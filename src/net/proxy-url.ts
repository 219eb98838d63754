// The proxy setting as the user gave it: its shape and its check. Kept apart from the agent (src/net/proxy.ts) so
// that parsing settings does not pull the proxy agent into every command's start-up.
import { InputError } from '../errors';
import { registerSecret } from '../secrets';

export interface ProxySettings {
  readonly url: string;
  readonly noProxy: readonly string[];
}

function decodes(part: string): boolean {
  try {
    decodeURIComponent(part);
    return true;
  } catch {
    return false;
  }
}

/**
 * Checks a proxy URL where the user gave it; `setting` names that place (`--http-proxy`, `input "http-proxy"`,
 * `HTTPS_PROXY`). The password is a secret: registered before anything can print it, and never echoed. A bad
 * percent-encoding in the credentials is caught here, not as a URIError from the proxy agent at the first request.
 */
export function checkProxyUrl(value: string, setting: string): URL {
  let parsed: URL | undefined;
  try {
    parsed = new URL(value);
  } catch {
    parsed = undefined;
  }
  if (parsed?.password) {
    registerSecret(parsed.password);
    if (decodes(parsed.password)) registerSecret(decodeURIComponent(parsed.password));
  }
  const shown = value.replace(/^([a-z][a-z0-9+.-]*:\/\/)?[^@/]*@/i, '$1***@');
  // "proxy.corp:3128" parses as a URL with scheme "proxy.corp:"; only an http(s) proxy URL can work.
  if (parsed?.protocol !== 'http:' && parsed?.protocol !== 'https:') {
    throw new InputError(`${setting} must be a URL such as http://proxy:3128, got "${shown}".`);
  }
  if (!decodes(parsed.username) || !decodes(parsed.password)) {
    throw new InputError(
      `The proxy URL in ${setting} has a user name or password with a broken percent-encoding (a % not followed by two hex digits): "${shown}".`,
      'Percent-encode the credentials: a literal % is %25, @ is %40, : is %3A, / is %2F.',
    );
  }
  return parsed;
}
