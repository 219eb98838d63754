// The AWS sign-in federation endpoint (https://signin.aws.amazon.com/federation), as the IAM User Guide describes
// "enable custom identity broker access to the console": `Action=getSigninToken` turns the temporary credentials of
// a session this emulator issued into a sign-in token (15 minutes, one use here), and `Action=login` exchanges the
// token for a console session, redirecting to a page that shows the assumed-role identity in place of the console.
import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock';
import type { SessionStore } from '../sessions';

const SIGNIN_TOKEN_LIFETIME_MS = 15 * 60_000;
const MIN_SESSION_DURATION_S = 900;
const MAX_SESSION_DURATION_S = 43_200;
export const FEDERATION_PATH = '/federation';
const CONSOLE_PATH = '/federation/console/';

export interface FederationAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

interface IssuedToken {
  readonly arn: string;
  readonly expiresAt: number;
  readonly consoleUntil: number;
}

interface ConsoleSession {
  readonly arn: string;
  readonly destination: string;
  readonly issuer?: string;
  readonly until: number;
}

function text(status: number, body: string): FederationAnswer {
  return { status, headers: { 'content-type': 'text/plain; charset=utf-8' }, body };
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export class FederationEndpoint {
  private readonly tokens = new Map<string, IssuedToken>();
  private readonly consoles = new Map<string, ConsoleSession>();

  constructor(
    private readonly sessions: SessionStore,
    private readonly clock: Clock,
  ) {}

  handle(method: string, path: string, query: string): FederationAnswer {
    if (method !== 'GET' && method !== 'POST') return text(405, 'Method not allowed');
    if (path.startsWith(CONSOLE_PATH)) return this.consolePage(path.slice(CONSOLE_PATH.length));
    const params = new URLSearchParams(query);
    switch (params.get('Action')) {
      case 'getSigninToken':
        return this.getSigninToken(params);
      case 'login':
        return this.login(params);
      default:
        return text(400, 'Action must be getSigninToken or login');
    }
  }

  private getSigninToken(params: URLSearchParams): FederationAnswer {
    let session: { sessionId?: unknown; sessionKey?: unknown; sessionToken?: unknown };
    try {
      session = JSON.parse(params.get('Session') ?? '');
    } catch {
      return text(400, 'Session must be JSON with sessionId, sessionKey and sessionToken');
    }
    const found = typeof session.sessionId === 'string' ? this.sessions.find(session.sessionId) : undefined;
    const now = this.clock();
    // AWS answers a refused session with a bare 400; the emulator says why, for the person reading the test.
    if (!found || found.secretAccessKey !== session.sessionKey || found.sessionToken !== session.sessionToken) {
      return text(400, 'The session credentials are not those of a session this endpoint issued');
    }
    if (found.expiresAt <= now) return text(400, 'The session credentials have expired');
    const durationText = params.get('SessionDuration');
    let durationS = Math.floor((found.expiresAt - now) / 1000);
    if (durationText !== null) {
      durationS = Number(durationText);
      if (!/^\d+$/.test(durationText) || durationS < MIN_SESSION_DURATION_S || durationS > MAX_SESSION_DURATION_S) {
        return text(400, `SessionDuration must be between ${MIN_SESSION_DURATION_S} and ${MAX_SESSION_DURATION_S}`);
      }
    }
    const token = randomBytes(48).toString('base64url');
    this.tokens.set(token, {
      arn: found.arn,
      expiresAt: now + SIGNIN_TOKEN_LIFETIME_MS,
      consoleUntil: now + durationS * 1000,
    });
    return {
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ SigninToken: token }),
    };
  }

  private login(params: URLSearchParams): FederationAnswer {
    const token = params.get('SigninToken') ?? '';
    const issued = this.tokens.get(token);
    this.tokens.delete(token);
    if (!issued || issued.expiresAt <= this.clock()) return text(400, 'The sign-in token is invalid or has expired');
    const destination = params.get('Destination') ?? '';
    if (!/^https:\/\//.test(destination)) return text(400, 'Destination must be an https URL');
    const id = randomBytes(24).toString('base64url');
    const issuer = params.get('Issuer') ?? undefined;
    this.consoles.set(id, { arn: issued.arn, destination, until: issued.consoleUntil, ...(issuer ? { issuer } : {}) });
    return { status: 302, headers: { location: `${CONSOLE_PATH}${id}`, 'cache-control': 'no-store' }, body: '' };
  }

  private consolePage(id: string): FederationAnswer {
    const session = this.consoles.get(id);
    if (!session || session.until <= this.clock())
      return text(403, 'No console session here (expired or never signed in)');
    const body =
      '<!doctype html><meta charset="utf-8"><title>AWS console (emulated)</title>' +
      `<h1>Signed in</h1><p>Identity: <code id="identity">${escapeHtml(session.arn)}</code></p>` +
      `<p>Destination: <code id="destination">${escapeHtml(session.destination)}</code></p>` +
      `<p>Session until: <code id="until">${new Date(session.until).toISOString()}</code></p>`;
    return { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body };
  }
}
