import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { MemberAccessError } from '../../lib/errors';
import { AssumedRoleCredentials } from '../../lib/organization/credentials';

const sts = mockClient(STSClient);
const ROLE = 'arn:aws:iam::333333333333:role/driftwarden-read-eu-west-1';
const START = new Date('2026-12-01T20:00:00Z');

function issuedFor(minutes: number, serial: number) {
  return { Credentials: { AccessKeyId: `ASIA${serial}`, SecretAccessKey: 'secret', SessionToken: 'token', Expiration: new Date(START.getTime() + minutes * 60_000) } };
}

beforeEach(() => sts.reset());

describe('AssumedRoleCredentials', () => {
  it('assumes a role once for concurrent and later callers while the credentials are fresh', async () => {
    sts.on(AssumeRoleCommand).resolves(issuedFor(60, 1));
    const cache = new AssumedRoleCredentials(new STSClient({ region: 'eu-west-1' }), { sessionName: 'driftwarden-scan', now: () => START });
    const identities = await Promise.all(Array.from({ length: 20 }, () => cache.provider(ROLE)()));
    expect(new Set(identities.map((identity) => identity.accessKeyId))).toEqual(new Set(['ASIA1']));
    await cache.credentials(ROLE);
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 1);
    expect(sts).toHaveReceivedCommandWith(AssumeRoleCommand, { RoleArn: ROLE, RoleSessionName: 'driftwarden-scan' });
  });

  it('assumes the role again within five minutes of expiry, before the old credentials die', async () => {
    sts.on(AssumeRoleCommand).resolvesOnce(issuedFor(60, 1)).resolves(issuedFor(120, 2));
    let now = START;
    const cache = new AssumedRoleCredentials(new STSClient({ region: 'eu-west-1' }), { sessionName: 'driftwarden-scan', now: () => now });
    expect((await cache.credentials(ROLE)).accessKeyId).toBe('ASIA1');
    now = new Date(START.getTime() + 54 * 60_000);
    expect((await cache.credentials(ROLE)).accessKeyId).toBe('ASIA1');
    now = new Date(START.getTime() + 55 * 60_000);
    expect((await cache.credentials(ROLE)).accessKeyId).toBe('ASIA2');
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 2);
  });

  it('names the role when it cannot be assumed, and asks again next time', async () => {
    sts.on(AssumeRoleCommand).rejectsOnce(Object.assign(new Error('User: arn:aws:sts::111111111111:assumed-role/x is not authorized to perform: sts:AssumeRole'), { name: 'AccessDenied' })).resolves(issuedFor(60, 3));
    const cache = new AssumedRoleCredentials(new STSClient({ region: 'eu-west-1' }), { sessionName: 'driftwarden-scan', now: () => START });
    await expect(cache.credentials(ROLE)).rejects.toThrow(MemberAccessError);
    await expect(cache.credentials(ROLE)).resolves.toMatchObject({ accessKeyId: 'ASIA3' });
  });

  it('keeps one set per role', async () => {
    sts.on(AssumeRoleCommand).callsFake((input: { RoleArn: string }) => issuedFor(60, Number(input.RoleArn.slice(13, 25))));
    const cache = new AssumedRoleCredentials(new STSClient({ region: 'eu-west-1' }), { sessionName: 'driftwarden-scan', now: () => START });
    const other = ROLE.replace('333333333333', '444444444444');
    expect((await cache.credentials(ROLE)).accessKeyId).toBe('ASIA333333333333');
    expect((await cache.credentials(other)).accessKeyId).toBe('ASIA444444444444');
  });
});
