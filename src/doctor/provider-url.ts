import { isLoopbackHost } from '../shared/loopback';

/** IAM returns a provider's URL without its scheme; loopback issuers (the emulator's tests) use http. */
export function providerUrl(url: string): string {
  const host = url.split('/')[0]?.replace(/:\d+$/, '') ?? '';
  return `${isLoopbackHost(host) ? 'http' : 'https'}://${url}`;
}
