import { writeSync } from 'node:fs';

/**
 * The CLI's output, written straight to file descriptors 1 and 2. `process.stdout` and `process.stderr` are streams
 * that Node builds on first use: for a pipe (how the AWS CLI and SDKs read a credential_process) that loads and sets
 * up `net` and the stream machinery, about 4 ms of a cached `credential-process` call that otherwise costs little
 * more than Node itself. Every CLI command prints whole documents at the end, so a synchronous write loses nothing;
 * and because nothing is left queued in a stream, the process may exit as soon as the command returns.
 */

/** Whole of `text` to stdout. */
export function writeStdout(text: string): void {
  writeAll(1, text);
}

/** Whole of `text` to stderr. */
export function writeStderr(text: string): void {
  writeAll(2, text);
}

/** How long to wait before retrying a full non-blocking pipe. */
const FULL_PIPE_PAUSE_MS = 1;
let pause: Int32Array | undefined;

/**
 * Writes every byte, however many calls it takes. A descriptor we inherited may be non-blocking (a parent that set
 * O_NONBLOCK on a shared pipe, as Node does for its own end); a full pipe then answers EAGAIN instead of waiting, and
 * we wait a moment and try again, as a blocking write would. Other errors (EPIPE: the reader has gone) are thrown.
 */
export function writeAll(fd: number, text: string): void {
  const bytes = Buffer.from(text, 'utf8');
  let offset = 0;
  while (offset < bytes.length) {
    try {
      offset += writeSync(fd, bytes, offset, bytes.length - offset);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
      pause ??= new Int32Array(new SharedArrayBuffer(4));
      Atomics.wait(pause, 0, 0, FULL_PIPE_PAUSE_MS);
    }
  }
}
