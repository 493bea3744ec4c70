import { parseSettings, type Settings } from '../lib/settings';
import { RULES } from '../rules';

/** The settings a command runs with: the `--config` file (the YAML parser is loaded only then), else the defaults. */
export async function commandSettings(file: string | undefined): Promise<Settings> {
  if (file === undefined) return parseSettings({}, RULES);
  const { readSettingsFile } = await import('../lib/settings-file');
  return readSettingsFile(file, RULES);
}
