/**
 * The real parts of a person's sign-in: an OpenID provider (oidc-provider, its own process on 127.0.0.1), headless
 * Chromium (puppeteer-core, /usr/bin/chromium) that fills the provider's forms as a person does, and a recorder
 * standing in for the browser command so tests see the exact argv a browser would get.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'puppeteer-core';

export interface OidcServer {
  readonly issuer: string;
  readonly process: ChildProcess;
  close(): void;
}

export async function startOidcProvider(options: Record<string, unknown> = {}): Promise<OidcServer> {
  const child = spawn(
    process.execPath,
    [join(__dirname, '..', '..', 'support', 'oidc-provider-server.mjs'), JSON.stringify(options)],
    {
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  const issuer = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('oidc-provider did not start in 10 s')), 10_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) {
        clearTimeout(timer);
        resolve((JSON.parse(line) as { issuer: string }).issuer);
      }
    });
    child.once('exit', () => reject(new Error('oidc-provider exited')));
  });
  return { issuer, process: child, close: () => child.stdin!.end() };
}

export async function launchChromium(): Promise<Browser> {
  const puppeteer = await import('puppeteer-core');
  return puppeteer.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--headless=new'] });
}

/** The browser command to put in the providers file: the recorder, with the URL where `{}` is. */
export function recorderCommand(argvFile: string): string {
  writeFileSync(argvFile, '');
  return `${process.execPath} ${join(__dirname, 'record-browser.mjs')} ${argvFile} {}`;
}

/** Each start of the browser command, as the argv it got (after the recorder's own file argument). */
export function recordedStarts(argvFile: string): string[][] {
  if (!existsSync(argvFile)) return [];
  return readFileSync(argvFile, 'utf8')
    .split('\n')
    .filter((l) => l)
    .map((l) => JSON.parse(l) as string[]);
}

/** Waits (bounded) until the browser command has been started `count` times; returns the last URL it got. */
export async function waitForBrowserStart(argvFile: string, count: number, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const starts = recordedStarts(argvFile);
    if (starts.length >= count) return starts[count - 1]![0]!;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the browser command was not started ${count} time(s) within ${timeoutMs} ms`);
}

/** Signs in on the provider's pages as a person does: login form (if asked), then consent (continue or abort). */
export async function completeSignIn(
  page: Page,
  url: string,
  options: { login?: string; consent?: 'allow' | 'deny'; userCode?: string } = {},
): Promise<string> {
  const callbacks: string[] = [];
  page.on('request', (request) => {
    if (request.url().includes('/callback')) callbacks.push(request.url());
  });
  await page.goto(url, { waitUntil: 'load' });
  for (let step = 0; step < 6 && callbacks.length === 0; step++) {
    if (options.userCode && (await page.$('input[name="user_code"]'))) {
      await page.type('input[name="user_code"]', options.userCode);
      await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('button[type="submit"]')]);
    } else if (await page.$('input[name="login"]')) {
      await page.type('input[name="login"]', options.login ?? 'alice');
      await page.type('input[name="password"]', 'any password');
      await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('button[type="submit"]')]);
    } else if (options.consent === 'deny' && (await page.$('a[href$="/abort"]'))) {
      await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('a[href$="/abort"]')]);
    } else if (await page.$('button[type="submit"]')) {
      await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('button[type="submit"]')]);
    } else {
      break;
    }
  }
  return callbacks[callbacks.length - 1] ?? page.url();
}
