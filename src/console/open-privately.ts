/**
 * Opens a URL that is itself a credential (the console sign-in URL: its SigninToken signs anyone in for 15 minutes)
 * without putting it in the browser's argv, which every local user can read (`ps`, /proc/PID/cmdline). The URL goes
 * into a small page that forwards to it (meta refresh, and location.replace so the page leaves no history entry),
 * written 0600 into a fresh 0700 directory under the user's runtime directory; the browser is given the page's
 * file:// address, which names only a file others cannot read.
 *
 * When to delete the page: the CLI exits right after, and the browser may read the file later (a cold start). So
 * the CLI waits until the browser has read it (its access time moves past the time it was written) plus a moment,
 * at most PAGE_MAX_MS, then deletes it. Where access times are not kept (noatime, some Windows volumes) that is
 * the full PAGE_MAX_MS. A page left by a run that was killed meanwhile is deleted by the next run (STALE_MS).
 */
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { privateDir } from '../auth/session-file';

/** The longest the CLI waits for the browser to read the page before it deletes it anyway. */
export const PAGE_MAX_MS = 10_000;
/** After the browser's read, how long the page stays (a browser may read it twice: sniffing, then loading). */
export const AFTER_READ_MS = 1000;
/** A page directory older than this was left by a run that did not finish: removed on the next run. */
export const STALE_MS = 10 * 60_000;

const PAGE_PREFIX = 'console-';
const PAGE_NAME = 'signin.html';

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '"': '&quot;', "'": '&#39;', '<': '&lt;', '>': '&gt;' };

function htmlAttribute(text: string): string {
  return text.replace(/[&"'<>]/g, (c) => HTML_ESCAPES[c]!);
}

/**
 * A JavaScript string literal safe inside <script>: JSON, with `<`, `>` and `&` as \u escapes (no `</script>` or
 * `<!--` can appear) and U+2028/U+2029 escaped (line terminators in older engines).
 */
function scriptString(text: string): string {
  return JSON.stringify(text).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** The forwarding page for `url` (http or https only). */
export function forwardingPage(url: string): string {
  const parsed = new URL(url);
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new Error(`only an http(s) URL can be forwarded to, not ${parsed.protocol}`);
  }
  return [
    '<!doctype html>',
    '<html><head><meta charset="utf-8">',
    // The sign-in URL must not travel on as a Referer.
    '<meta name="referrer" content="no-referrer">',
    `<meta http-equiv="refresh" content="0; url=${htmlAttribute(url)}">`,
    '<title>AWS console sign-in</title>',
    `<script>location.replace(${scriptString(url)});</script>`,
    '</head><body><p>Opening the AWS console&hellip;</p></body></html>',
    '',
  ].join('\n');
}

/** Removes page directories of earlier runs that were killed before they could clean up. */
function removeStalePages(base: string, now: number): void {
  for (const name of readdirSync(base)) {
    if (!name.startsWith(PAGE_PREFIX)) continue;
    const dir = join(base, name);
    try {
      if (now - statSync(dir).mtimeMs > STALE_MS) rmSync(dir, { recursive: true, force: true });
    } catch {
      // gone meanwhile, or not ours to judge
    }
  }
}

export interface PrivatePage {
  readonly dir: string;
  readonly file: string;
  readonly fileUrl: string;
  /** The file's access time right after it was written, in ns. */
  readonly writtenAtimeNs: bigint;
}

/** Writes the forwarding page: a fresh 0700 directory under `base` (itself made private), the page 0600 in it. */
export function writePrivatePage(url: string, base: string, now = Date.now()): PrivatePage {
  const page = forwardingPage(url);
  privateDir(base);
  removeStalePages(base, now);
  const dir = mkdtempSync(join(base, PAGE_PREFIX)); // 0700, a name nobody could have guessed to plant
  const file = join(dir, PAGE_NAME);
  try {
    writeFileSync(file, page, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return { dir, file, fileUrl: pathToFileURL(file).href, writtenAtimeNs: statSync(file, { bigint: true }).atimeNs };
}

function readSince(page: PrivatePage): boolean {
  try {
    return statSync(page.file, { bigint: true }).atimeNs > page.writtenAtimeNs;
  } catch {
    return true; // removed by someone else: nothing left to wait for
  }
}

export interface OpenPrivatelyOptions {
  /** The runtime directory (paths.ts runtimeDir). */
  readonly base: string;
  /** Starts the browser on a URL; resolves whether it started (open-browser.ts openBrowser). */
  readonly open: (url: string) => Promise<boolean>;
  readonly maxWaitMs?: number;
  readonly afterReadMs?: number;
  readonly pollMs?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Opens `url` in the browser through a private forwarding page and deletes the page once the browser has read it
 * (or after maxWaitMs). Resolves whether the browser could be started; the page is gone either way.
 */
export async function openPrivately(url: string, options: OpenPrivatelyOptions): Promise<boolean> {
  const page = writePrivatePage(url, options.base);
  const remove = () => rmSync(page.dir, { recursive: true, force: true });
  // An exit while waiting (process.exit from elsewhere) still removes it; a kill is left to the next run's sweep.
  process.once('exit', remove);
  try {
    if (!(await options.open(page.fileUrl))) return false;
    const deadline = Date.now() + (options.maxWaitMs ?? PAGE_MAX_MS);
    while (Date.now() < deadline) {
      if (readSince(page)) {
        await sleep(Math.min(options.afterReadMs ?? AFTER_READ_MS, Math.max(0, deadline - Date.now())));
        break;
      }
      await sleep(options.pollMs ?? 100);
    }
    return true;
  } finally {
    remove();
    process.removeListener('exit', remove);
  }
}
