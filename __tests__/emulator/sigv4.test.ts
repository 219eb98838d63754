// SigV4 verification against AWS's published test-suite signatures and against @smithy/signature-v4 (the JS SDK's
// signer) as an independent reference implementation.
import { createHash, createHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import {
  canonicalRequest,
  computeSignature,
  encodeRfc3986,
  type IncomingSignedRequest,
  parseSigV4,
  signatureMatches,
} from '../../src/emulator/sigv4';

const KEY = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };

function request(
  method: string,
  path: string,
  query: string,
  headers: Array<[string, string]>,
  body = '',
): IncomingSignedRequest {
  return { method, path, query, rawHeaders: headers.flat(), body: Buffer.from(body) };
}

describe('AWS SigV4 test suite vectors (AKIDEXAMPLE, 20150830T123600Z, us-east-1, service)', () => {
  const auth = (signedHeaders: string, signature: string) =>
    `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=${signedHeaders}, Signature=${signature}`;

  it('get-vanilla', () => {
    const signature = '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31';
    const req = request('GET', '/', '', [
      ['Host', 'example.amazonaws.com'],
      ['X-Amz-Date', '20150830T123600Z'],
      ['Authorization', auth('host;x-amz-date', signature)],
    ]);
    const parsed = parseSigV4(req);
    expect(parsed).toMatchObject({
      accessKeyId: 'AKIDEXAMPLE',
      region: 'us-east-1',
      service: 'service',
      scopeDate: '20150830',
    });
    expect(canonicalRequest(req, parsed!)).toBe(
      'GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    expect(computeSignature(req, parsed!, KEY.secretAccessKey)).toBe(signature);
    expect(signatureMatches(req, parsed!, KEY.secretAccessKey)).toBe(true);
    expect(signatureMatches(req, parsed!, `${KEY.secretAccessKey}x`)).toBe(false);
  });

  it('post-x-www-form-urlencoded', () => {
    const signature = 'ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a';
    const req = request(
      'POST',
      '/',
      '',
      [
        ['Content-Type', 'application/x-www-form-urlencoded'],
        ['Host', 'example.amazonaws.com'],
        ['X-Amz-Date', '20150830T123600Z'],
        ['Authorization', auth('content-type;host;x-amz-date', signature)],
      ],
      'Param1=value1',
    );
    const parsed = parseSigV4(req)!;
    expect(computeSignature(req, parsed, KEY.secretAccessKey)).toBe(signature);
    // The exact body bytes are signed: a different body must not verify.
    expect(signatureMatches({ ...req, body: Buffer.from('Param1=value2') }, parsed, KEY.secretAccessKey)).toBe(false);
  });
});

/** Minimal Checksum for smithy's signer, backed by node:crypto (HMAC when constructed with a secret). */
type SourceData = string | ArrayBuffer | ArrayBufferView;

function toBuffer(data: SourceData): Buffer {
  if (typeof data === 'string') return Buffer.from(data);
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

class NodeSha256 {
  private readonly secret?: Buffer;
  private hash;
  constructor(secret?: SourceData) {
    this.secret = secret === undefined ? undefined : toBuffer(secret);
    this.hash = this.fresh();
  }
  private fresh() {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', this.secret);
  }
  update(data: SourceData): void {
    this.hash.update(toBuffer(data));
  }
  reset(): void {
    this.hash = this.fresh();
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

interface SmithyRequest {
  method: string;
  protocol: string;
  hostname: string;
  path: string;
  query: Record<string, string | string[]>;
  headers: Record<string, string>;
  body?: string;
}

function toIncoming(signed: SmithyRequest): IncomingSignedRequest {
  const query = Object.entries(signed.query)
    .flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => [k, x]) : [[k, v]]))
    .map(([k, v]) => `${encodeRfc3986(k as string)}=${encodeRfc3986(v as string)}`)
    .join('&');
  return {
    method: signed.method,
    path: signed.path,
    query,
    rawHeaders: Object.entries(signed.headers).flat(),
    body: Buffer.from(signed.body ?? ''),
  };
}

describe('against @smithy/signature-v4 as reference', () => {
  const signer = (sessionToken?: string) =>
    new SignatureV4({
      credentials: { ...KEY, sessionToken },
      region: 'us-east-1',
      service: 'sts',
      sha256: NodeSha256,
    });
  const date = new Date('2015-08-30T12:36:00Z');

  const cases: Array<[string, SmithyRequest]> = [
    [
      'STS form POST',
      {
        method: 'POST',
        protocol: 'http:',
        hostname: '127.0.0.1',
        path: '/',
        query: {},
        headers: { host: '127.0.0.1:4566', 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
        body: 'Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fx&RoleSessionName=a%20b',
      },
    ],
    [
      'GET with unsorted, reserved-character query parameters',
      {
        method: 'GET',
        protocol: 'http:',
        hostname: '127.0.0.1',
        path: '/',
        query: { Version: '2011-06-15', Action: 'GetCallerIdentity', 'b key': 'a/b+c=d*e', a: '~._-' },
        headers: { host: '127.0.0.1:4566' },
      },
    ],
    [
      'headers with extra whitespace and an unusual path',
      {
        method: 'POST',
        protocol: 'http:',
        hostname: '127.0.0.1',
        path: '/some/path-with~tilde',
        query: {},
        headers: { host: '127.0.0.1:4566', 'x-amz-meta-note': '  two   spaces  ', 'content-type': 'text/plain' },
        body: '{"json": true}',
      },
    ],
  ];

  it.each(cases)('%s verifies (header form)', async (_name, req) => {
    const signed = (await signer().sign(req, { signingDate: date })) as unknown as SmithyRequest;
    const incoming = toIncoming(signed);
    const parsed = parseSigV4(incoming)!;
    expect(parsed.amzDate).toBe('20150830T123600Z');
    expect(signatureMatches(incoming, parsed, KEY.secretAccessKey)).toBe(true);
    expect(
      signatureMatches(
        { ...incoming, body: Buffer.concat([incoming.body, Buffer.from(' ')]) },
        parsed,
        KEY.secretAccessKey,
      ),
    ).toBe(false);
  });

  it('session token is carried and signed', async () => {
    const [, req] = cases[0]!;
    const signed = (await signer('SESSION-TOKEN').sign(req, { signingDate: date })) as unknown as SmithyRequest;
    const incoming = toIncoming(signed);
    const parsed = parseSigV4(incoming)!;
    expect(parsed.securityToken).toBe('SESSION-TOKEN');
    expect(parsed.signedHeaders).toContain('x-amz-security-token');
    expect(signatureMatches(incoming, parsed, KEY.secretAccessKey)).toBe(true);
  });

  it('presigned query form verifies', async () => {
    const req: SmithyRequest = {
      method: 'GET',
      protocol: 'http:',
      hostname: '127.0.0.1',
      path: '/',
      query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
      headers: { host: '127.0.0.1:4566' },
    };
    const presigned = (await signer('TOKEN').presign(req, {
      signingDate: date,
      expiresIn: 300,
    })) as unknown as SmithyRequest;
    const incoming = toIncoming(presigned);
    const parsed = parseSigV4(incoming)!;
    expect(parsed).toMatchObject({ presigned: true, expiresSeconds: 300, securityToken: 'TOKEN' });
    expect(signatureMatches(incoming, parsed, KEY.secretAccessKey)).toBe(true);
    const tampered = { ...incoming, query: incoming.query.replace('GetCallerIdentity', 'AssumeRole') };
    expect(signatureMatches(tampered, parsed, KEY.secretAccessKey)).toBe(false);
  });

  it('does not trust x-amz-content-sha256: UNSIGNED-PAYLOAD (the STS form body is always authenticated)', async () => {
    const [, req] = cases[0]!;
    const unsigned: SmithyRequest = { ...req, headers: { ...req.headers, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } };
    const signed = (await signer().sign(unsigned, { signingDate: date })) as unknown as SmithyRequest;
    const incoming = toIncoming(signed);
    const parsed = parseSigV4(incoming)!;
    expect(parsed.signedHeaders).toContain('x-amz-content-sha256');
    const forged = {
      ...incoming,
      body: Buffer.from(String(req.body).replace('RoleSessionName=a%20b', 'RoleSessionName=forged')),
    };
    expect(signatureMatches(forged, parsed, KEY.secretAccessKey)).toBe(false);
    // The signer signed the literal UNSIGNED-PAYLOAD, not the body, so even the untouched request does not verify.
    expect(signatureMatches(incoming, parsed, KEY.secretAccessKey)).toBe(false);
    expect(canonicalRequest(incoming, parsed).split('\n').at(-1)).toBe(
      createHash('sha256').update(incoming.body).digest('hex'),
    );
  });

  it('returns undefined for an unsigned request and rejects a malformed header', () => {
    expect(parseSigV4(request('GET', '/', 'Action=GetCallerIdentity', [['Host', 'h']]))).toBeUndefined();
    expect(() =>
      parseSigV4(
        request('GET', '/', '', [
          ['Authorization', 'AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/sts/aws4_request'],
        ]),
      ),
    ).toThrow(/requires 'SignedHeaders'/);
  });
});
