// Who wrote a claim, lock or intent, and whether that process still runs.
import { randomBytes } from 'node:crypto';

/** This process, as recorded on claims and locks: its pid plus a token, since a pid is reused after a restart. */
export const PROCESS_ID = `${process.pid}:${randomBytes(6).toString('hex')}`;

/**
 * Whether the process that wrote `owner` still runs. Our own pid counts as alive only with our token (a
 * container restarts with the same pid). The database must be local to one machine: pids mean nothing across.
 */
export function ownerAlive(owner: string | null): boolean {
  if (!owner) return false;
  const [pidText, token] = owner.split(':');
  const pid = Number(pidText);
  if (!Number.isInteger(pid)) return false;
  if (pid === process.pid) return token === undefined || owner === PROCESS_ID;
  return processAlive(pid);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
