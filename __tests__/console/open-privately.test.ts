import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runInNewContext } from 'node:vm';
import { runtimeDir } from '../../src/auth/paths';
import { forwardingPage, openPrivately, STALE_MS, writePrivatePage } from '../../src/console/open-privately';

const SIGNIN =
  'https://signin.aws.amazon.com/federation?Action=login&Destination=https%3A%2F%2Fconsole.aws.amazon.com%2F&SigninToken=abc-DEF_123';
// Not what the federation endpoint returns, but what an escaping bug would turn into markup or script.
const HOSTILE = `https://example.com/a"b'c<d>e&f?x=</script><script>alert(1)</script>&y=\u2028\u2029<!--`;

let base: string;
beforeEach(() => {
  base = join(mkdtempSync(join(tmpdir(), 'kla-page-')), 'runtime', 'keyless-aws');
});
afterEach(() => rmSync(join(base, '..', '..'), { recursive: true, force: true }));

/** What the page's script would do: the URL it hands to location.replace. */
function scriptTarget(html: string): string {
  const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
  expect(scripts).toHaveLength(1);
  let target = '';
  runInNewContext(scripts[0]!, { location: { replace: (u: string) => (target = u) } });
  return target;
}

/** The URL of the meta refresh, entities decoded as an HTML parser does for an attribute. */
function refreshTarget(html: string): string {
  const meta = /<meta http-equiv="refresh" content="([^"]*)">/.exec(html);
  expect(meta).not.toBeNull();
  const decoded = meta![1]!.replace(/&(amp|quot|#39|lt|gt);/g, (_, e: string) => {
    return { amp: '&', quot: '"', '#39': "'", lt: '<', gt: '>' }[e]!;
  });
  expect(decoded.startsWith('0; url=')).toBe(true);
  return decoded.slice('0; url='.length);
}

describe('forwardingPage', () => {
  test.each([
    ['a sign-in URL', SIGNIN],
    ['a URL full of HTML and script syntax', HOSTILE],
  ])('%s reaches both the script and the meta refresh exactly', (_what, url) => {
    const html = forwardingPage(url);
    expect(scriptTarget(html)).toBe(url);
    expect(refreshTarget(html)).toBe(url);
  });

  test('nothing of the URL can close the script or open markup', () => {
    const html = forwardingPage(HOSTILE);
    expect(html.match(/<\/script>/g)).toHaveLength(1);
    expect(html.match(/<script>/g)).toHaveLength(1);
    expect(html).not.toContain('<!--');
    // Raw line separators only where HTML does not care (the attribute), never in the script.
    expect(/<script>[^<]*<\/script>/.exec(html)![0]).not.toMatch(/[\u2028\u2029]/);
    expect(html).toContain('<meta name="referrer" content="no-referrer">');
  });

  test('only http(s)', () => {
    expect(() => forwardingPage('javascript:alert(1)')).toThrow('only an http(s) URL');
    expect(() => forwardingPage('file:///etc/passwd')).toThrow('only an http(s) URL');
  });
});

describe('writePrivatePage', () => {
  test('0600 in a fresh 0700 directory under a 0700 base; the file:// URL names it', () => {
    const page = writePrivatePage(SIGNIN, base);
    expect(statSync(base).mode & 0o777).toBe(0o700);
    expect(statSync(page.dir).mode & 0o777).toBe(0o700);
    expect(statSync(page.file).mode & 0o777).toBe(0o600);
    expect(fileURLToPath(page.fileUrl)).toBe(page.file);
    expect(page.fileUrl).not.toContain('SigninToken');
    expect(readFileSync(page.file, 'utf8')).toBe(forwardingPage(SIGNIN));
    // Each run its own directory.
    expect(writePrivatePage(SIGNIN, base).dir).not.toBe(page.dir);
  });

  test('a page left by a killed run is removed by the next; a recent one is left alone', () => {
    const old = writePrivatePage(SIGNIN, base);
    const recent = writePrivatePage(SIGNIN, base);
    const past = (Date.now() - STALE_MS - 60_000) / 1000;
    utimesSync(old.dir, past, past);
    mkdirSync(join(base, 'not-a-page'));
    utimesSync(join(base, 'not-a-page'), past, past);
    writePrivatePage(SIGNIN, base);
    expect(existsSync(old.dir)).toBe(false);
    expect(existsSync(recent.dir)).toBe(true);
    expect(existsSync(join(base, 'not-a-page'))).toBe(true);
  });
});

describe('openPrivately', () => {
  test('the browser gets the file:// address; the page is deleted once the browser has read it', async () => {
    const given: string[] = [];
    let readAt = 0;
    const started = Date.now();
    const opened = await openPrivately(SIGNIN, {
      base,
      maxWaitMs: 5000,
      afterReadMs: 100,
      open: async (url) => {
        given.push(url);
        // A browser that takes a moment to start, then reads the page.
        setTimeout(() => {
          readFileSync(fileURLToPath(url));
          readAt = Date.now();
        }, 300);
        return true;
      },
    });
    expect(opened).toBe(true);
    expect(given).toHaveLength(1);
    expect(given[0]).toMatch(/^file:\/\/\/.*\/console-[^/]+\/signin\.html$/);
    expect(existsSync(fileURLToPath(given[0]!))).toBe(false);
    expect(readdirSync(base)).toEqual([]);
    // Deleted soon after the read, not at the 5 s limit (access times are kept on this file system).
    expect(readAt).toBeGreaterThan(0);
    expect(Date.now() - started).toBeLessThan(2500);
  });

  test('a browser that never reads it: deleted at the limit', async () => {
    let file = '';
    const started = Date.now();
    expect(
      await openPrivately(SIGNIN, {
        base,
        maxWaitMs: 400,
        open: async (url) => {
          file = fileURLToPath(url);
          return true;
        },
      }),
    ).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(380);
    expect(existsSync(file)).toBe(false);
  });

  test('a browser that cannot start: false, and the page is gone at once', async () => {
    let file = '';
    expect(
      await openPrivately(SIGNIN, {
        base,
        open: async (url) => {
          file = fileURLToPath(url);
          expect(statSync(file).mode & 0o777).toBe(0o600);
          return false;
        },
      }),
    ).toBe(false);
    expect(existsSync(file)).toBe(false);
  });
});

describe('runtimeDir', () => {
  test('XDG_RUNTIME_DIR where set (absolute), else the cache directory; macOS and Windows caches', () => {
    const trusted = () => true;
    expect(runtimeDir({ XDG_RUNTIME_DIR: '/run/user/1000' }, 'linux', '/home/p', trusted)).toBe(
      '/run/user/1000/keyless-aws',
    );
    expect(runtimeDir({ XDG_RUNTIME_DIR: 'relative' }, 'linux', '/home/p')).toBe('/home/p/.cache/keyless-aws/runtime');
    expect(runtimeDir({ XDG_CACHE_HOME: '/c' }, 'linux', '/home/p')).toBe('/c/keyless-aws/runtime');
    expect(runtimeDir({}, 'darwin', '/Users/p')).toBe('/Users/p/Library/Caches/keyless-aws');
    expect(runtimeDir({ LOCALAPPDATA: 'C:\\L' }, 'win32', 'C:\\Users\\p')).toContain('keyless-aws');
  });

  const onPosix = process.platform === 'win32' ? test.skip : test;
  onPosix('XDG_RUNTIME_DIR only when it is a 0700 directory of this user (not shared, not a link, not missing)', () => {
    const root = join(base, '..', '..');
    const own = join(root, 'own');
    mkdirSync(own, { mode: 0o700 });
    chmodSync(own, 0o700);
    const shared = join(root, 'shared'); // as a path under /tmp that someone set XDG_RUNTIME_DIR to
    mkdirSync(shared);
    chmodSync(shared, 0o1777);
    const link = join(root, 'link');
    symlinkSync(own, link);
    const cache = join('/home/p', '.cache', 'keyless-aws', 'runtime');
    expect(runtimeDir({ XDG_RUNTIME_DIR: own }, 'linux', '/home/p')).toBe(join(own, 'keyless-aws'));
    expect(runtimeDir({ XDG_RUNTIME_DIR: shared }, 'linux', '/home/p')).toBe(cache);
    expect(runtimeDir({ XDG_RUNTIME_DIR: link }, 'linux', '/home/p')).toBe(cache);
    expect(runtimeDir({ XDG_RUNTIME_DIR: join(root, 'missing') }, 'linux', '/home/p')).toBe(cache);
  });
});
