import { parse as parseYaml } from 'yaml';
import { SettingsError } from './errors';
import type { AnyRule } from './rule';
import { parseSettings, type Settings } from './settings';
import { readTextFile } from './text-file';

// Apart from lib/settings.ts so the deployed functions, which read settings from the environment,
// do not bundle a YAML parser.
export function readSettingsFile(path: string, rules: readonly AnyRule[]): Settings {
  const text = readTextFile(path, 'settings file');
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new SettingsError(`${path} is neither JSON nor YAML: ${(error as Error).message.split('\n')[0]}`, { cause: error });
  }
  return parseSettings(raw, rules, path);
}
