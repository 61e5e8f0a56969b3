// `pnpm --filter ingest redrive -- <flags>`: the redrive CLI (redrive.ts) on this process's
// arguments, environment and terminal. The first Ctrl-C stops watching (the run goes on in
// ingest); a second exits at once.
import { EXIT, runRedrive } from './redrive.ts';

const stop = new AbortController();
process.on('SIGINT', () => {
  if (stop.signal.aborted) process.exit(EXIT.interrupted);
  stop.abort();
});
const code = await runRedrive(process.argv.slice(2), {
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
  signal: stop.signal,
});
process.exitCode = code;
