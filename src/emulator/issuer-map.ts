// `--issuer <production iss>=<loopback url>`: where the emulator fetches the discovery document and JWKS of an
// issuer that a template names by its production URL. Tokens keep the production `iss`, so the template that goes
// to AWS is the one the emulator loads; only the key source moves to the loopback issuer.
import { EmulatorConfigError } from './errors';
import { type IamModel, isAllowedFetchUrl } from './iam-model';

/** Validates the mapping against the loaded providers and returns it (issuer URL → loopback base URL). */
export function issuerKeySources(model: IamModel, mapping: Record<string, string>): ReadonlyMap<string, string> {
  const sources = new Map<string, string>();
  const providers = model.listProviders();
  for (const [issuer, local] of Object.entries(mapping)) {
    if (!isAllowedFetchUrl(local)) {
      throw new EmulatorConfigError(
        `--issuer ${issuer}=${local}: the key source must be an http(s) URL on a loopback address (the emulator never fetches the internet)`,
      );
    }
    // A mapping no provider uses is a typo (a trailing slash, http for https): its tokens would never verify.
    if (!providers.some((p) => p.url === issuer)) {
      const known = providers.map((p) => p.url).join(', ') || 'none';
      throw new EmulatorConfigError(
        `--issuer ${issuer}: no OIDC provider has this URL (providers: ${known}); the left side must equal a provider's Url exactly`,
      );
    }
    sources.set(issuer, local.replace(/\/+$/, ''));
  }
  return sources;
}
