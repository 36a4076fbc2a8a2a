import { describe, expect, it } from 'vitest';
import { isNotAvailable, parseMeasure, parseYesNo } from './smi-values.js';

describe('isNotAvailable', () => {
  it.each([
    '[N/A]',
    '[Not Supported]',
    '[Unknown Error]',
    '[Insufficient Permissions]',
    'N/A',
    '',
    '  ',
  ])('takes %j for no value', (text) => {
    expect(isNotAvailable(text)).toBe(true);
  });

  it.each(['0', '0x0000000000000000', 'NVIDIA H100 80GB HBM3', 'No'])(
    'takes %j for a value',
    (text) => {
      expect(isNotAvailable(text)).toBe(false);
    },
  );
});

describe('parseMeasure', () => {
  it('reads numbers with or without the unit nvidia-smi prints', () => {
    expect(parseMeasure('81559')).toBe(81559);
    expect(parseMeasure('81559 MiB')).toBe(81559);
    expect(parseMeasure('700.00 W')).toBe(700);
    expect(parseMeasure('92.07')).toBe(92.07);
    expect(parseMeasure('-8 C')).toBe(-8);
    expect(parseMeasure('0 %')).toBe(0);
    expect(parseMeasure('996 KB/s')).toBe(996);
  });

  it('refuses what is not a number', () => {
    expect(parseMeasure('')).toBeUndefined();
    expect(parseMeasure('hot')).toBeUndefined();
    expect(parseMeasure('ERR!')).toBeUndefined();
    expect(parseMeasure('12 34')).toBeUndefined();
    expect(parseMeasure('[N/A]')).toBeUndefined();
  });
});

describe('parseYesNo', () => {
  it('reads Yes and No, and nothing else', () => {
    expect(parseYesNo('Yes')).toBe(true);
    expect(parseYesNo(' No ')).toBe(false);
    expect(parseYesNo('N/A')).toBeUndefined();
  });
});
