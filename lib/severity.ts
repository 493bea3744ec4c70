/** How bad a finding is; `--fail-on` and alert routing compare them in this order. */
export const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
export type Severity = (typeof SEVERITIES)[number];
