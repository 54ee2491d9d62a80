/**
 * Loopback ports for the real peers the tests start (etcd, kube-apiserver, versitygw, ...).
 *
 * A port that was free when a test looked can be gone by the time the peer binds it: another
 * test process may pick the same one, and any outgoing connection on the machine takes its local
 * port from the kernel's ephemeral range, which is also where `listen(0)` picks. Under load
 * (many etcd members and control planes at once) that race made "address already in use"
 * failures. So test ports come from below the ephemeral range, where outgoing connections never
 * land, and each is reserved across test processes with a create-only file naming its owner's
 * PID; a reservation whose owner has died is taken over. Reservations end with the process.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** Below Linux's default ephemeral range (32768-60999) and above well-known services. */
const FIRST_PORT = 15000;
const LAST_PORT = 32000;
const reservationDir = path.join(os.tmpdir(), `kk-test-ports-${process.getuid?.() ?? 0}`);
const mine = new Set<number>();

process.on('exit', () => {
  for (const port of mine) rmSync(path.join(reservationDir, String(port)), { force: true });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the reservation of `port` for this process; false when a live process holds it. */
function reserve(port: number): boolean {
  const file = path.join(reservationDir, String(port));
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx', mode: 0o600 });
      mine.add(port);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = Number(readFileSync(file, 'utf8').trim());
      // An empty file is a reservation being written right now: treat it as held.
      if (!Number.isInteger(owner) || owner <= 0 || alive(owner)) return false;
      rmSync(file, { force: true });
    }
  }
  return false;
}

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A loopback port reserved for this test process and free when returned. */
export async function freePort(): Promise<number> {
  mkdirSync(reservationDir, { recursive: true, mode: 0o700 });
  for (let tries = 0; tries < 200; tries++) {
    const port = FIRST_PORT + Math.floor(Math.random() * (LAST_PORT - FIRST_PORT));
    if (mine.has(port) || !reserve(port)) continue;
    if (await canBind(port)) return port;
    // Something outside the tests listens there: keep the reservation so no test tries it again.
  }
  throw new Error(`no free loopback port in ${FIRST_PORT}-${LAST_PORT} after 200 tries`);
}
