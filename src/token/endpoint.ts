import { TokenError, TransientError } from '../errors';
import { httpRequestText, preview } from '../net/http';
import type { ProxySettings } from '../net/proxy';
import { registerSecret } from '../secrets';
import { decodeToken, type TokenSource } from './token';

export interface EndpointOptions {
  /** `ACTIONS_ID_TOKEN_REQUEST_URL` or `JENKINS_ID_TOKEN_REQUEST_URL`. */
  readonly url: string;
  /** The bearer that authorises the request; a secret. */
  readonly requestToken: string;
  readonly audience: string;
  /** "GitHub" or "Jenkins", for messages. */
  readonly name: string;
  readonly timeoutMs: number;
  readonly proxy?: ProxySettings;
  readonly debug?: (line: string) => void;
}

/** GitHub's URL already carries `?api-version=…`; a Jenkins-style one may not. Join with whichever fits. */
export function withAudience(url: string, audience: string): URL {
  const target = new URL(url);
  target.searchParams.set('audience', audience);
  return target;
}

/**
 * What the endpoint said with its refusal, printable and short: the `message` (or `error_description`, `error`) of
 * a JSON body, otherwise the body's first bytes. The request token is a registered secret, masked should it be echoed.
 */
export function said(body: string): string {
  let text = body;
  try {
    const json = JSON.parse(body) as Record<string, unknown> | null;
    const field = [json?.message, json?.error_description, json?.error].find((v) => typeof v === 'string');
    if (typeof field === 'string') text = field;
  } catch {
    // not JSON: the raw text it is
  }
  const shown = preview(text);
  return shown ? `: "${shown}"` : '';
}

/** Whether JSON.parse failed at the very end of a non-empty text, i.e. the text is a cut-off prefix of JSON. */
function stopsShort(text: string, parseError: string): boolean {
  const end = text.trimEnd().length;
  if (end === 0) return false;
  if (/end of JSON input/i.test(parseError)) return true;
  const position = /at position (\d+)/.exec(parseError)?.[1];
  return position !== undefined && Number(position) >= end;
}

/**
 * `field` (default `value`) of the JSON answer, or undefined when the JSON has none. JSON that stops short (a proxy
 * or the endpoint closed an unframed body early) is transient like a reset; JSON that is wrong in any other way is not.
 */
export function tokenValue(body: string, what: string, field = 'value'): unknown {
  try {
    return (JSON.parse(body) as Record<string, unknown> | null)?.[field];
  } catch (error) {
    if (stopsShort(body, (error as Error).message)) {
      throw new TransientError(
        'TokenResponseTruncated',
        `${what} answered JSON that stops short (${body.length} bytes).`,
      );
    }
    return undefined;
  }
}

/**
 * The GitHub ID-token protocol, which the keyless-aws token service speaks too: GET <url>&audience=<aud> with
 * `Authorization: Bearer <request token>`, answered by `{"value": "<jwt>"}`.
 */
export function endpointTokenSource(options: EndpointOptions): TokenSource {
  registerSecret(options.requestToken);
  const what = `the ${options.name} ID-token endpoint`;
  return async (hooks) => {
    const response = await httpRequestText(withAudience(options.url, options.audience), {
      headers: {
        Authorization: `Bearer ${options.requestToken}`,
        Accept: 'application/json',
        'User-Agent': 'keyless-aws',
      },
      timeoutMs: options.timeoutMs,
      what,
      ...(hooks?.onRequestSent ? { onRequestSent: hooks.onRequestSent } : {}),
      ...(options.proxy ? { proxy: options.proxy } : {}),
      ...(options.debug ? { debug: options.debug } : {}),
    });
    if (response.status === 429 || response.status >= 500) {
      throw new TransientError('TokenEndpointUnavailable', `${what} answered HTTP ${response.status}.`);
    }
    if (response.status !== 200) {
      throw new TokenError(
        'TokenRequestRejected',
        `${what} refused the request with HTTP ${response.status}${said(response.body)}.`,
        {
          hint:
            response.status === 401 || response.status === 403
              ? `The request token is missing, expired or not valid for this endpoint${options.name === 'GitHub' ? ' (does the job have permissions: id-token: write?)' : ''}.`
              : response.status === 400
                ? `The endpoint did not accept audience "${options.audience}"; check the audience setting.`
                : undefined,
        },
      );
    }
    const value = tokenValue(response.body, what);
    if (typeof value !== 'string' || value.length === 0) {
      throw new TokenError(
        'TokenResponseInvalid',
        `${what} answered without a token (expected JSON {"value": "<jwt>"}).`,
      );
    }
    return decodeToken(value, what);
  };
}
