import { canPlan } from '../pages';
import { useMe } from '../session';
import { HolderOffers } from './offers-holder';
import { LabProcurement } from './offers-pipeline';
import './offers.css';

/**
 * `/offers`: a right-of-first-refusal holder answers the offers made to it and sees nothing
 * else of the lab; the lab follows every request through offers, quotes, award and deliveries,
 * and planners act on them. Both views refetch when the stream reports a procurement change.
 */
export function OffersPage() {
  const me = useMe();
  return me.role === 'holder' ? (
    <HolderOffers provider={me.provider} />
  ) : (
    <LabProcurement canAct={canPlan(me.role)} />
  );
}
