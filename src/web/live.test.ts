import { describe, expect, it } from 'vitest';
import { topicsOf } from './live';

describe('topicsOf', () => {
  it('sends node events to the fleet alone', () => {
    for (const action of ['node.register', 'node.change', 'node.remove']) {
      expect(topicsOf({ action, entityType: 'node' })).toEqual(['fleet']);
    }
  });

  it('lets pool events (deliveries, the agents’ among them) touch the fleet too', () => {
    const topics = topicsOf({ action: 'delivery.agent', entityType: 'pool' });
    expect(topics).toContain('fleet');
    expect(topics).toContain('deliveries');
  });

  it('keeps the fleet out of what plans, requests and tokens touch', () => {
    expect(topicsOf({ action: 'plan.create', entityType: 'plan' })).not.toContain('fleet');
    expect(topicsOf({ action: 'request.create', entityType: 'request' })).toEqual(['procurement']);
    expect(topicsOf({ action: 'token.create', entityType: 'token' })).toEqual([]);
  });
});
