import { InputError } from '../errors';
import { shownValue } from '../secrets';
import type { SettingsReader } from './values';

/**
 * An AWS endpoint URL: the setting, else the first of the SDK's environment variables set (the service's own, then
 * AWS_ENDPOINT_URL). Errors name whichever of the two supplied the value.
 */
export function endpointUrl(read: SettingsReader, input: string, envNames: readonly string[]): string | undefined {
  const fromEnv = read.string(input) === undefined ? envNames.find((n) => read.source.env[n]?.trim()) : undefined;
  const value = fromEnv ? read.source.env[fromEnv]?.trim() : read.string(input);
  if (value === undefined) return undefined;
  const label = fromEnv ? `environment variable ${fromEnv}` : read.label(input);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InputError(
      `${label} must be a URL such as https://sts.us-east-1.amazonaws.com, got ${shownValue(value)}.`,
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new InputError(`${label} must be an http(s) URL, got ${shownValue(value)}.`);
  }
  return value;
}
