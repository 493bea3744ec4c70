import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertProfileExists } from '../../cli/aws';
import { MissingAwsConfigurationError } from '../../lib/errors';

describe('CLI: --profile', () => {
  const home = mkdtempSync(join(tmpdir(), 'driftwarden-home-'));
  mkdirSync(join(home, '.aws'));
  writeFileSync(join(home, '.aws', 'config'), '[default]\nregion = eu-west-1\n\n[profile audit]\nregion = eu-west-1\n');
  writeFileSync(join(home, '.aws', 'credentials'), '[ci]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = example\n');

  it.each(['default', 'audit', 'ci'])('accepts the profile %s that a shared file defines', (profile) => {
    expect(() => assertProfileExists(profile, { HOME: home })).not.toThrow();
  });

  it('names a profile that no shared file defines as missing', () => {
    expect(() => assertProfileExists('prod', { HOME: home })).toThrow(MissingAwsConfigurationError);
    expect(() => assertProfileExists('prod', { HOME: home })).toThrow('AWS profile "prod" is not defined in ~/.aws/config or ~/.aws/credentials');
  });
});
