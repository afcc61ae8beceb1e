// Starts the Portkey gateway (`@portkey-ai/gateway`) for the relay benchmark, with the arguments
// given to this script (`--port=N --headless`). Its Node server swaps the global `Response` for a
// lighter class, which breaks its own streaming on this Node; putting Node's back once it has
// started fixes that without touching the package.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const nodeResponse = globalThis.Response;
const entry = createRequire(import.meta.url).resolve('@portkey-ai/gateway/package.json').replace(/package\.json$/, 'build/start-server.js');
process.argv = [process.argv[0], entry, ...process.argv.slice(2)];
await import(pathToFileURL(entry).href);
globalThis.Response = nodeResponse;
