import { describe, expect, it } from 'vitest';
import { namespacesOf } from './namespaces.js';

describe('namespacesOf', () => {
  it('maps each class to the namespace after its last =', () => {
    expect(namespacesOf(['api=serving', 'training=ml=jobs'])).toEqual({
      namespaces: new Map([
        ['api', 'serving'],
        ['training=ml', 'jobs'],
      ]),
    });
  });

  it('says what is wrong with the first bad entry, and refuses a class given twice', () => {
    expect(namespacesOf(['api'])).toEqual({ error: 'expected CLASS=NAMESPACE, got api' });
    expect(namespacesOf(['=ns'])).toEqual({ error: 'expected CLASS=NAMESPACE, got =ns' });
    expect(namespacesOf(['api='])).toEqual({ error: 'expected CLASS=NAMESPACE, got api=' });
    expect(namespacesOf(['api=a', 'api=b'])).toEqual({ error: 'class api is given twice' });
  });
});
