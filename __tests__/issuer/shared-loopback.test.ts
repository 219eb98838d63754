// The one loopback rule shared by the token service (plain-http warning) and the emulator (http issuers).
import { isLoopbackHost } from '../../src/shared/loopback';

test.each([
  ['localhost', true],
  ['LOCALHOST', true],
  ['127.0.0.1', true],
  ['127.1.2.3', true],
  ['127.255.255.255', true],
  ['::1', true],
  ['[::1]', true],
  ['127.example.com', false],
  ['127.0.0.1.nip.io', false],
  ['localhost.example.com', false],
  ['127.256.0.1', false],
  ['127.0.0', false],
  ['128.0.0.1', false],
  ['0.0.0.0', false],
  ['[::2]', false],
  ['', false],
])('isLoopbackHost(%j) is %s', (host, expected) => {
  expect(isLoopbackHost(host)).toBe(expected);
});
