import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const SUPERGATEWAY_VERSION = '4.0.0';
const PREFIX = fileURLToPath(new URL('../../.peers/', import.meta.url));
export const SUPERGATEWAY_BIN = `${PREFIX}node_modules/supergateway/dist/index.js`;

function onPath(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Installs the peers the first time: websocketd from Debian (`apt-get install websocketd`) and supergateway
 * from npm into bench/.peers (not a project dependency). Returns their versions.
 */
export function installPeers(): { websocketd: string; supergateway: string } {
  if (!onPath('websocketd')) {
    process.stderr.write('installing websocketd (apt-get)…\n');
    execFileSync('apt-get', ['install', '-y', '-q', 'websocketd'], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
  if (!existsSync(SUPERGATEWAY_BIN)) {
    process.stderr.write(`installing supergateway@${SUPERGATEWAY_VERSION} (npm, into bench/.peers)…\n`);
    execFileSync(
      'npm',
      [
        'install',
        '--prefix',
        PREFIX,
        '--no-save',
        '--no-audit',
        '--no-fund',
        `supergateway@${SUPERGATEWAY_VERSION}`,
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
  }
  const websocketd = execFileSync('dpkg-query', ['-W', '-f', '${Version}', 'websocketd'], {
    encoding: 'utf8',
  }).trim();
  return {
    websocketd: `websocketd ${websocketd} (Debian)`,
    supergateway: `supergateway ${SUPERGATEWAY_VERSION} (npm)`,
  };
}
