#!/usr/bin/env node
// The `tether` command. The only module that calls process.exit.
import { readFileSync } from 'node:fs';
import { isTetherError } from '../errors.ts';
import { serve } from './serve.ts';

const USAGE = `usage: tether <command>

commands:
  serve      run the HTTP server (tether serve --help)
  version    print the version
`;

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve':
      return serve(rest);
    case 'version':
    case '--version':
      process.stdout.write(`${version()}\n`);
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
