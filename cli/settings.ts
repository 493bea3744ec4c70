import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseSettings, type Settings } from '../lib/settings';
import { RULES } from '../rules';

/** The settings file found without `--config`, in the working directory or else at the repository root. */
export const DISCOVERED_SETTINGS_FILE = '.driftwarden.yml';

function repositoryRoot(start: string): string | undefined {
  for (let folder = resolve(start); ; folder = dirname(folder)) {
    if (existsSync(join(folder, '.git'))) return folder;
    if (dirname(folder) === folder) return undefined;
  }
}

export function findSettingsFile(start: string): string | undefined {
  const candidates = [start, repositoryRoot(start)].filter((folder): folder is string => folder !== undefined);
  return candidates.map((folder) => join(folder, DISCOVERED_SETTINGS_FILE)).find((file) => existsSync(file));
}

/** `--config FILE`, else a discovered `.driftwarden.yml`, else the defaults; the YAML parser is loaded only for a file. */
export async function loadSettings(config: string | undefined, start = process.cwd()): Promise<Settings> {
  const file = config ?? findSettingsFile(start);
  if (file === undefined) return parseSettings({}, RULES);
  const { readSettingsFile } = await import('../lib/settings-file');
  return readSettingsFile(file, RULES);
}
