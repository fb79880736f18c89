/**
 * The first index in `lo` .. `hi` − 1 of ascending `values` whose value is ≥ `value` (binary
 * search); `hi` when there is none.
 */
export function lowerBound(
  values: ArrayLike<number>,
  value: number,
  lo = 0,
  hi = values.length,
): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of `value` in ascending `values` (binary search); −1 when it is not there. */
export function indexOfSorted(values: ArrayLike<number>, value: number): number {
  const i = lowerBound(values, value);
  return i < values.length && values[i] === value ? i : -1;
}
