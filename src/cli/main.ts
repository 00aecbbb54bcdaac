#!/usr/bin/env node
// The `tether` command. The only module that calls process.exit.
import { isTetherError } from '../errors.ts';
import { TETHER_VERSION } from '../version.ts';
import { doctor } from './doctor.ts';
import { ps } from './ps.ts';
import { serve } from './serve.ts';

const USAGE = `usage: tether <command>

commands:
  serve      run the HTTP server (tether serve --help)
  ps         show the running server's process tree (tether ps --help)
  doctor     check what Tether relies on here (tether doctor --help)
  version    print the version
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve':
      return serve(rest);
    case 'ps':
      return ps(rest);
    case 'doctor':
      return doctor(rest);
    case 'version':
    case '--version':
      process.stdout.write(`${TETHER_VERSION}\n`);
      return 0;
    case undefined:
    case 'help':
    case '--help':
      process.stdout.write(USAGE);
      return 0;
    default:
      process.stderr.write(`tether: unknown command ${JSON.stringify(command)}\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `tether: ${isTetherError(error) ? `${error.code}: ${error.message}` : String(error)}\n`,
    );
    process.exit(isTetherError(error) ? 2 : 1);
  },
);
