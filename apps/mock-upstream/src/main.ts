#!/usr/bin/env node
/**
 * The mock upstream as a process, for benchmarks and the offline demo:
 *   node dist/main.js --port=9000 [--host=0.0.0.0] [--record] [--fail-rate=0.1 --seed=x …]
 * Any `--<control>=<value>` sets a process-wide default, with the names of `POST /__control`
 * (`--latency-ms=20` and `--latencyMs=20` both work). PORT and HOST are read as well;
 * MOCK_LOG=1 logs one line per request.
 */
import { startMockUpstream } from './mock-upstream.js';

function camel(name: string): string {
  return name.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

function parseArgs(argv: readonly string[]): { port: number; host: string; record: boolean; settings: Record<string, unknown> } {
  let port = Number(process.env.PORT ?? 0);
  let host = process.env.HOST ?? '127.0.0.1';
  let record = false;
  const settings: Record<string, unknown> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new Error(`mock-upstream: unexpected argument ${arg}`);
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const value = eq >= 0 ? arg.slice(eq + 1) : argv[i + 1] !== undefined && !argv[i + 1].startsWith('--') ? argv[++i] : 'true';
    if (name === 'port') port = Number(value);
    else if (name === 'host') host = value;
    else if (name === 'record') record = value !== 'false';
    else if (name === 'help') {
      process.stdout.write('usage: mock-upstream --port=9000 [--host=127.0.0.1] [--record] [--<control>=<value> …]\n');
      process.exit(0);
    } else if (name === 'revoked-keys' || name === 'insufficient-balance-keys') settings[camel(name)] = value.split(',');
    else settings[camel(name)] = value;
  }
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`mock-upstream: invalid port ${port}`);
  return { port, host, record, settings };
}

async function start() {
  try {
    const args = parseArgs(process.argv.slice(2));
    return await startMockUpstream({ port: args.port, host: args.host, record: args.record, settings: args.settings });
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  }
}

const mock = await start();
process.stdout.write(`mock-upstream listening on ${mock.url}\n`);

const stop = (): void => {
  mock.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
