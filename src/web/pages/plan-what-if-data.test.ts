import { describe, expect, it } from 'vitest';
import { parsePatchText, signedUSD, whatIfPatch } from './plan-what-if-data';

describe('whatIfPatch', () => {
  it('makes one item per edited thing, named by id, with only the edited field', () => {
    expect(
      whatIfPatch({
        building: { id: 'lordstown-b1', online: '2028-06' },
        pool: { id: 'azure-gb300', pricePerGpuHour: ' 3.60 ' },
        contract: { id: 'msft-openai-2025', to: '2029-12' },
      }),
    ).toEqual({
      buildings: [{ id: 'lordstown-b1', online: '2028-06' }],
      pools: [{ id: 'azure-gb300', pricePerGpuHour: '3.60' }],
      contracts: [{ id: 'msft-openai-2025', effective: { to: '2029-12' } }],
    });
  });

  it('leaves out edits not filled in', () => {
    expect(
      whatIfPatch({
        building: { id: 'b1', online: '' },
        pool: { id: '', pricePerGpuHour: '3' },
        contract: undefined,
      }),
    ).toEqual({});
  });
});

describe('parsePatchText', () => {
  it('takes a JSON object and says what is wrong with anything else', () => {
    expect(parsePatchText('{"pools": []}')).toEqual({ patch: { pools: [] } });
    const notObject = parsePatchText('[1]');
    expect('error' in notObject && notObject.error).toContain('expected a JSON object');
    const notJson = parsePatchText('{');
    expect('error' in notJson && notJson.error).toContain('not JSON');
  });
});

describe('signedUSD', () => {
  it('signs a change and calls less than a cent no change', () => {
    const format = (usd: number) => `$${usd}`;
    expect(signedUSD(5, format)).toBe('+$5');
    expect(signedUSD(-5, format)).toBe('−$5');
    expect(signedUSD(0.001, format)).toBe('no change');
  });
});
