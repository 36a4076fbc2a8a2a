import { describe, expect, it } from 'vitest';
import {
  QUANTITY,
  isDnsLabel,
  isLabelValue,
  isQualifiedName,
  joinNames,
  kubeName,
  shortHash,
} from './kube-names.js';

describe('kubeName', () => {
  it('keeps an id that is a DNS-1123 label already', () => {
    for (const id of ['abilene-b1', 'azure-h100', 'a', '0', 'x'.repeat(63)]) {
      expect(kubeName(id)).toBe(id);
    }
  });

  it('maps anything else to a label, the same every time, from its own text alone', () => {
    const cases = [
      'Azure_H100',
      'gpu_pool',
      'gpu.pool',
      'pool-',
      '_x_',
      'Inference API',
      'ÄÖÜ',
      '',
      'x'.repeat(64),
    ];
    const names = cases.map(kubeName);
    for (const [index, name] of names.entries()) {
      const id = cases[index] ?? '';
      expect(isDnsLabel(name), `${id} -> ${name}`).toBe(true);
      expect(kubeName(id)).toBe(name);
    }
    expect(new Set(names).size).toBe(cases.length);
    expect(kubeName('Azure_H100')).toBe(`azure-h100-${shortHash('Azure_H100')}`);
    // Underscore and dot differ in the id, so they differ in the name.
    expect(kubeName('gpu_pool')).not.toBe(kubeName('gpu.pool'));
    expect(kubeName('ÄÖÜ')).toMatch(/^x-[0-9a-f]{6}$/);
  });

  it('joins names and keeps the result a label', () => {
    expect(joinNames('training', 'abilene')).toBe('training-abilene');
    const long = joinNames('a'.repeat(40), 'b'.repeat(40));
    expect(long).toHaveLength(63);
    expect(isDnsLabel(long)).toBe(true);
    expect(long).not.toBe(joinNames('a'.repeat(40), `${'b'.repeat(39)}c`));
  });
});

describe('Kubernetes syntax', () => {
  it('tells labels, keys and quantities from what Kubernetes refuses', () => {
    expect(isDnsLabel('Abilene')).toBe(false);
    expect(isDnsLabel('-a')).toBe(false);
    expect(isDnsLabel('a.b')).toBe(false);
    expect(isQualifiedName('stargate.dev/pool')).toBe(true);
    expect(isQualifiedName('nvidia.com/gpu.product')).toBe(true);
    expect(isQualifiedName('Stargate.dev/pool')).toBe(false);
    expect(isQualifiedName('stargate.dev/')).toBe(false);
    expect(isLabelValue('NVIDIA-H100-80GB-HBM3')).toBe(true);
    expect(isLabelValue('')).toBe(true);
    expect(isLabelValue('pool_')).toBe(false);
    for (const quantity of ['250000', '0', '1.5', '100m', '2Ki', '1e3'])
      expect(QUANTITY.test(quantity)).toBe(true);
    for (const quantity of ['12x', '', '1,000', 'Ki']) expect(QUANTITY.test(quantity)).toBe(false);
  });
});
