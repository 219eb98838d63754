/** Milliseconds since the epoch. Injectable so tests can expire sessions and tokens without waiting. */
export type Clock = () => number;

export const systemClock: Clock = () => Date.now();

/** ISO-8601 UTC without milliseconds, the format STS uses for `Expiration`. */
export function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/**
 * Clock skew STS and Cognito tolerate on a token's time claims: `exp` up to this far behind, `iat`/`nbf` this far
 * ahead (Cognito documents 5 minutes; STS is observed to accept about the same on `exp`).
 */
export const TOKEN_SKEW_SECONDS = 300;

export function epochSeconds(ms: number): number {
  return Math.floor(ms / 1000);
}
