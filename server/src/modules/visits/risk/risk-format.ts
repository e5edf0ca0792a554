/** Number formatting for reason details and messages: thousands separators, no trailing zeros, never a misleading tie. */

/** `1839.67` → `1,840`; `12.70` → `12.7` (at most `decimals` decimals, trailing zeros dropped). */
export function formatNumber(value: number, decimals = 0): string {
  const fixed = Math.abs(value).toFixed(decimals);
  const [whole, fraction = ''] = fixed.split('.') as [string, string?];
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const trimmed = fraction.replace(/0+$/, '');
  const sign = value < 0 && Number(fixed) !== 0 ? '-' : '';
  return `${sign}${grouped}${trimmed ? `.${trimmed}` : ''}`;
}

/**
 * A measured value that exceeds `limit`, with just enough decimals that the text shows it exceeding: 300.4 against 300
 * reads `300.4`, not a confusing `300 > 300`.
 */
export function formatAbove(measured: number, limit: number): string {
  let decimals = 0;
  while (decimals < 3 && Number(measured.toFixed(decimals)) <= limit) decimals++;
  return formatNumber(measured, decimals);
}

/** The mirror of `formatAbove` for values below a (negative) limit. */
export function formatBelow(measured: number, limit: number): string {
  return `-${formatAbove(-measured, -limit)}`;
}
