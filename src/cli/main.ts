#!/usr/bin/env node
// The `tether` command. The only module that calls process.exit.
import { readFileSync } from 'node:fs';

const USAGE = `usage: tether <command>

commands:
  version    print the version
`;

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

const [command] = process.argv.slice(2);
switch (command) {
  case 'version':
  case '--version':
    process.stdout.write(`${version()}\n`);
    break;
  default:
    process.stderr.write(USAGE);
    process.exit(command === undefined || command === 'help' || command === '--help' ? 0 : 2);
}
