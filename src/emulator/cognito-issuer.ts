// The emulator's own Cognito Identity token issuer: an RS512 key generated at start, served as discovery + JWKS
// under `<endpoint>/cognito-identity/`, used to sign GetOpenIdToken results and to verify them in STS.
import { generateKeyPair, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { type DecodedJwt, signJwt, verifyJwtSignature } from './jwt';

export const COGNITO_ISSUER_PATH = '/cognito-identity';
const generateRsaKeyPair = promisify(generateKeyPair);

export class CognitoIssuer {
  readonly kid: string;
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;
  private base = '';

  private constructor(kid: string, privateKey: KeyObject, publicKey: KeyObject) {
    this.kid = kid;
    this.privateKey = privateKey;
    this.publicKey = publicKey;
  }

  /** kid follows Cognito's `<region><n>` shape (e.g. `eu-west-13`). */
  static async create(region: string): Promise<CognitoIssuer> {
    const { privateKey, publicKey } = await generateRsaKeyPair('rsa', { modulusLength: 2048 });
    return new CognitoIssuer(`${region}1`, privateKey, publicKey);
  }

  /** Called once the server knows its URL; the issuer URL embeds it. */
  setEndpoint(endpointUrl: string): void {
    this.base = endpointUrl.replace(/\/+$/, '');
  }

  get issuerUrl(): string {
    return `${this.base}${COGNITO_ISSUER_PATH}`;
  }

  discoveryDocument(): Record<string, unknown> {
    return {
      issuer: this.issuerUrl,
      jwks_uri: `${this.issuerUrl}/.well-known/jwks_uri`,
      authorization_endpoint: `${this.issuerUrl}/authorize`,
      response_types_supported: ['code', 'token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS512'],
      scopes_supported: ['openid'],
      claims_supported: ['aud', 'iss', 'sub', 'amr', 'exp', 'iat'],
    };
  }

  jwks(): { keys: Array<Record<string, unknown>> } {
    const jwk = this.publicKey.export({ format: 'jwk' });
    return { keys: [{ kty: 'RSA', alg: 'RS512', use: 'sig', kid: this.kid, n: jwk.n, e: jwk.e }] };
  }

  sign(claims: Record<string, unknown>): string {
    return signJwt({ kid: this.kid, typ: 'JWS', alg: 'RS512' }, claims, this.privateKey);
  }

  /** True when the token was signed by this issuer (RS512, our kid). */
  verify(jwt: DecodedJwt): boolean {
    return jwt.header.alg === 'RS512' && jwt.header.kid === this.kid && verifyJwtSignature(jwt, this.publicKey);
  }
}
