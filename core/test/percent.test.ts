/** percentText: ratios as percentages, rounded down so that only equality reads 100%. */
import { expect, it } from 'vitest';
import { percentText } from '../percent.js';

it('shows a ratio as a percentage with the digits asked for', () => {
  expect(percentText(1, 1)).toBe('100.0%');
  expect(percentText(0.9, 1)).toBe('90.0%');
  expect(percentText(0.993, 4)).toBe('99.3000%');
  expect(percentText(0, 0)).toBe('0%');
  expect(percentText(1 / 3, 2)).toBe('33.33%');
  expect(percentText(0.25, 0)).toBe('25%');
});

it('rounds down: almost equal never reads 100%, and float noise does not lose a digit', () => {
  expect(percentText(0.99996, 2)).toBe('99.99%');
  expect(percentText(999_999 / 1_000_000, 1)).toBe('99.9%');
  expect(percentText(2 / 3, 0)).toBe('66%');
  // 0.29 × 100 is 28.999999999999996 in doubles
  expect(percentText(0.29, 2)).toBe('29.00%');
  expect(percentText(0.57, 0)).toBe('57%');
});
