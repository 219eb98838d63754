import { closeSync, openSync, writeSync } from 'node:fs';
import type { Logger } from '../log';

/**
 * What the person must act on (the device code, an address to open). As a credential_process the AWS CLI and SDKs
 * capture our stderr and show it only on failure, so the message also goes to the terminal itself (/dev/tty) when
 * stderr is not one: the person sees the code while `aws s3 ls` waits.
 */
export function tellPerson(log: Logger, message: string): void {
  log.warn(message);
  if (process.stderr.isTTY || process.platform === 'win32') return;
  let fd: number | undefined;
  try {
    fd = openSync('/dev/tty', 'w');
    writeSync(fd, `keyless-aws: ${message}\n`);
  } catch {
    // no controlling terminal (a cron job, an IDE): stderr is all there is
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
