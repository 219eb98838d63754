import { createHash, randomBytes } from 'node:crypto';
import { sha256, sha256Hex } from '../../src/shared/sha256';

const reference = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');

describe('sha256', () => {
  it('gives the FIPS 180-4 example digests', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
    expect(sha256Hex('a'.repeat(1_000_000))).toBe('cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0');
  });

  it('hashes the empty string', () => {
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('agrees with node:crypto at the padding boundaries (55, 56, 63, 64, 65, 119, 120 bytes…)', () => {
    for (const length of [1, 54, 55, 56, 57, 63, 64, 65, 111, 112, 119, 120, 127, 128, 129, 1000]) {
      const text = 'x'.repeat(length);
      expect({ length, digest: sha256Hex(text) }).toEqual({ length, digest: reference(text) });
    }
  });

  it('hashes strings as UTF-8, as createHash().update(string) does', () => {
    for (const text of ['é', '€ and ✓', '𝄞 outside the BMP', 'arn:aws:iam::123456789012:role/déploiement']) {
      expect(sha256Hex(text)).toBe(reference(text));
    }
  });

  it('agrees with node:crypto on random inputs of every length up to 300 bytes', () => {
    for (let length = 0; length <= 300; length++) {
      const bytes = new Uint8Array(randomBytes(length));
      expect({ length, digest: sha256Hex(bytes) }).toEqual({ length, digest: reference(bytes) });
    }
  });

  it('returns 32 bytes', () => {
    expect(Buffer.from(sha256('abc')).equals(createHash('sha256').update('abc').digest())).toBe(true);
  });
});
