import { EndpointError } from '../errors';

// OpenSSL's verification results as Node reports them in `error.code`. None of them passes by asking again.
const UNTRUSTED_CHAIN = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_CHAIN_TOO_LONG',
  'INVALID_CA',
  'CERT_REVOKED',
]);
const EXPIRED = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);
const WRONG_HOST = new Set(['ERR_TLS_CERT_ALTNAME_INVALID', 'HOSTNAME_MISMATCH']);

const CA_HINT =
  'If a TLS-inspecting proxy or a private CA signs this certificate, give Node that CA: NODE_EXTRA_CA_CERTS=/path/to/ca.pem ' +
  "(PEM, set in the step's or the agent's environment before the process starts). Otherwise check that the URL names the real service.";

/**
 * A certificate failure named for the user (`what` names the endpoint with its URL, what is wrong with it, how to make this machine trust it),
 * or undefined when `error` is not one. Final, never retried: the same server sends the same certificate.
 */
export function certificateError(error: Error, host: string, what: string): EndpointError | undefined {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  if (UNTRUSTED_CHAIN.has(code)) {
    return new EndpointError(
      'UntrustedCertificate',
      `${what} presented a certificate this machine does not trust (${code}).`,
      {
        hint: CA_HINT,
      },
    );
  }
  if (EXPIRED.has(code)) {
    return new EndpointError(
      'ExpiredCertificate',
      `${what} presented a certificate outside its validity period (${code}).`,
      {
        hint: "Check this machine's clock; if it is right, the server's (or the TLS-inspecting proxy's) certificate must be renewed.",
      },
    );
  }
  if (WRONG_HOST.has(code)) {
    return new EndpointError(
      'CertificateHostMismatch',
      `${what}: the certificate presented is not valid for ${host} (${code}).`,
      {
        hint: 'Check the host name in the URL (an IP address or an internal alias needs a certificate that names it).',
      },
    );
  }
  return undefined;
}
