/**
 * Whether a lock's owner is provably dead, for the two cross-process locks (the AWS files' lock in file-lock.ts, the
 * token service's key-directory lock). A pid proves nothing outside the process space it was taken in.
 */
import { readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';

let space: string | undefined;

/**
 * Where a pid means the same process: this host name, and on Linux also this boot and this pid namespace. Host
 * names alone are not enough: containers sharing a volume (a home directory, a key directory) may share a host name
 * (a fixed `hostname:`, `--uts=host`) while their pids live in different namespaces, and judging another container's
 * live writer dead by its pid would break its lock mid-write.
 */
export function processSpace(): string {
  if (space === undefined) {
    const parts = [hostname().replace(/\s/g, '_')];
    try {
      parts.push(readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim(), readlinkSync('/proc/self/ns/pid'));
    } catch {
      // Not Linux: no pid namespaces, the host name identifies the pid space.
    }
    space = parts.join('/');
  }
  return space;
}

/** True when `pid` is a live process of this process space (EPERM: it exists, owned by another user). */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether an owner line `<process space> <pid> …` names a process of this space that no longer exists. */
export function ownerIsDead(ownerLine: string): boolean {
  const [owner, pid] = ownerLine.trim().split(' ');
  return owner === processSpace() && pid !== undefined && /^\d+$/.test(pid) && !processExists(Number(pid));
}
