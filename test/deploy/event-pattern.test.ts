import { matchesPattern } from './event-pattern';

// The examples of the EventBridge User Guide's "Content filtering" and "Creating event patterns" pages.
const event = {
  source: 'aws.ec2',
  'detail-type': 'EC2 Instance State-change Notification',
  account: '123456789012',
  region: 'us-west-2',
  resources: ['arn:aws:ec2:us-west-2:123456789012:instance/i-1234567890abcdef0'],
  detail: { 'instance-id': 'i-1234567890abcdef0', state: 'terminated', count: 5, tags: ['a', 'b'] },
};

describe('EventBridge pattern matching (test helper)', () => {
  it.each([
    [{ source: ['aws.ec2'] }, true],
    [{ source: ['aws.s3', 'aws.ec2'] }, true],
    [{ source: ['aws.s3'] }, false],
    [{ detail: { state: ['terminated'] } }, true],
    [{ detail: { state: ['running'] } }, false],
    [{ detail: { missing: ['x'] } }, false],
    [{ detail: { tags: ['b', 'z'] } }, true],
    [{ region: [{ prefix: 'us-' }] }, true],
    [{ region: [{ suffix: '-1' }] }, false],
    [{ detail: { state: [{ 'anything-but': 'running' }] } }, true],
    [{ detail: { state: [{ 'anything-but': ['terminated', 'stopped'] }] } }, false],
    [{ detail: { count: [{ numeric: ['>', 0, '<=', 5] }] } }, true],
    [{ detail: { count: [{ numeric: ['>', 5] }] } }, false],
    [{ detail: { missing: [{ exists: false }] } }, true],
    [{ detail: { state: [{ exists: false }] } }, false],
    [{ 'detail-type': [{ 'equals-ignore-case': 'ec2 instance state-change notification' }] }, true],
    [{ resources: [{ wildcard: 'arn:aws:ec2:*:instance/*' }] }, true],
    [{ detail: { state: ['terminated'] }, source: ['aws.s3'] }, false],
  ])('%j matches: %s', (pattern, expected) => {
    expect(matchesPattern(pattern, event)).toBe(expected);
  });
});
