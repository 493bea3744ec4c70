/**
 * `fn` over every item with at most `limit` calls in flight, results in input order. Per-resource
 * calls (S3 encryption, SNS attributes, KMS keys) go through here so a large account neither runs
 * them one by one nor opens thousands of requests at once.
 */
export async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

/** `items` in consecutive slices of at most `size` (API batch and filter limits). */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += size) result.push(items.slice(start, start + size));
  return result;
}

/** EC2 accepts at most 200 values in one filter (FilterLimitExceeded beyond that). */
export const EC2_FILTER_VALUES_MAX = 200;
