import { bypassesProxy, proxyAgentFor } from '../../src/net/proxy';

describe('bypassesProxy (NO_PROXY)', () => {
  it.each([
    ['sts.us-east-1.amazonaws.com', ['amazonaws.com'], true],
    ['sts.us-east-1.amazonaws.com', ['.amazonaws.com'], true],
    ['sts.us-east-1.amazonaws.com', ['*.amazonaws.com'], true],
    ['amazonaws.com', ['.amazonaws.com'], true],
    ['notamazonaws.com', ['amazonaws.com'], false],
    ['STS.Example.COM', ['example.com'], true],
    ['sts.example.com', ['example.com:443'], true],
    ['anything', ['*'], true],
    ['127.0.0.1', ['127.0.0.1'], true],
    ['[::1]', ['::1'], true],
    ['[::1]', ['[::1]:8080'], true],
    ['[fd00::2]', ['::2'], false],
    ['sts.example.com', ['other.com', 'example.org'], false],
    ['sts.example.com', [], false],
  ])('%s with NO_PROXY %j → %s', (host, list, expected) => {
    expect(bypassesProxy(host, list)).toBe(expected);
  });
});

describe('proxyAgentFor', () => {
  it('goes direct without a proxy or for a bypassed host, and reuses one agent per proxy URL', () => {
    const proxy = { url: 'http://proxy.local:3128', noProxy: ['internal.example'] };
    expect(proxyAgentFor(new URL('https://sts.amazonaws.com'), undefined)).toBeUndefined();
    expect(proxyAgentFor(new URL('https://api.internal.example'), proxy)).toBeUndefined();
    const agent = proxyAgentFor(new URL('https://sts.amazonaws.com'), proxy);
    expect(agent).toBeDefined();
    expect(proxyAgentFor(new URL('https://sts.eu-west-1.amazonaws.com'), proxy)).toBe(agent);
  });
});
