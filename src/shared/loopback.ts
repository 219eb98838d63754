// Loopback detection for the one place both the emulator and the token service relax a rule for local testing
// (plain http to an issuer). Strict on purpose: `127.example.com` or `localhost.evil.com` are ordinary names that
// anyone can point anywhere, so only the literal loopback forms count.

/**
 * True for `localhost`, `::1` (bracketed or not, as `URL.hostname` gives it) and dotted-quad `127.a.b.c` with
 * every octet 0-255. Case-insensitive; nothing else (no DNS lookup, no other names ending in a loopback look-alike).
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (host === 'localhost' || host === '::1') return true;
  const octets = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  return octets?.slice(1).every((o) => Number(o) <= 255) ?? false;
}
