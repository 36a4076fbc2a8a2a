/**
 * Instance families of `stargate gen --family`: seeded variations of the standard mix, each
 * stressing one thing the standard mix does not (see docs/planner.md, "Families"). A family
 * is a set of knobs on the one generator, so every family shares its providers, sites,
 * contract terms and random stream layout, and differs only where it says.
 */
export const FAMILIES = [
  'standard',
  'gang-heavy',
  'tight',
  'long-gangs',
  'many-accelerators',
  'rofr-pending',
  'binding-commitments',
  'mixed',
] as const;

export type Family = (typeof FAMILIES)[number];

/**
 * Changes whenever a family's documents change, so that results cached against a generated
 * instance (the family benchmark's HiGHS references) are not reused for another.
 */
export const FAMILY_GENERATOR_VERSION = 1;

/**
 * A take-or-pay commitment the family adds to the contract, on a provider whose pools it makes
 * dearer, so that meeting the minimum costs more than buying elsewhere.
 */
export interface ExtraCommitment {
  readonly provider: string;
  /** The minimum as a share of what the provider's pools would cost if full in the window. */
  readonly shareOfCapacity: number;
  /** The term's window as shares of the horizon, [from, to). */
  readonly window: readonly [number, number];
}

/** The knobs a family sets; `standard` sets each to today's generator. */
export interface FamilyProfile {
  /** Share of gang workloads, from `--gang-share` (the family may raise it). */
  readonly gangShare: number;
  /**
   * Gangs at evenly spaced positions, exactly round(share × workloads) of them, rather than
   * drawn one by one: a family that promises a share keeps it at every size.
   */
  readonly exactGangCount: boolean;
  /** Months in a gang's window, inclusive range (clipped to the horizon). */
  readonly gangMonths: readonly [number, number];
  /**
   * How many accelerators a workload accepts, inclusive range, any of the four; undefined:
   * one, or with probability ½ also the next generation (the standard mix).
   */
  readonly acceleratorsPerWorkload?: readonly [number, number];
  /** Share of non-Azure pools that are new capacity (and so subject to the ROFR). */
  readonly newShare: number;
  /** Chance that new capacity's ROFR is cleared (else pending: out of the plan). */
  readonly rofrCleared: number;
  /**
   * Demand in GPU-months over capacity in GPU-months, met by scaling every workload's GPUs;
   * undefined: the standard sizing (about 1.1× capacity per an average 12-month window).
   */
  readonly demandToCapacity?: number;
  /** Price multiplier by provider (pools and buildings). */
  readonly premium: Readonly<Record<string, number>>;
  /** Commitments added to the contract; one on Azure replaces the standard Azure term. */
  readonly extraCommitments: readonly ExtraCommitment[];
}

const STANDARD: Omit<FamilyProfile, 'gangShare'> = {
  exactGangCount: false,
  gangMonths: [2, 6],
  newShare: 0.5,
  rofrCleared: 0.6,
  premium: {},
  extraCommitments: [],
};

// Commitments on a partner and a neocloud priced at a premium: with demand well below
// capacity, the cheapest plan without the commitments buys little from them, so each minimum
// binds. Azure's minimum becomes one its pools can meet (the standard one cannot be met).
const BINDING: Pick<FamilyProfile, 'premium' | 'extraCommitments'> = {
  premium: { coreweave: 1.4, oracle: 1.6 },
  extraCommitments: [
    { provider: 'azure', shareOfCapacity: 0.7, window: [0, 1] },
    { provider: 'coreweave', shareOfCapacity: 0.6, window: [0, 1] },
    { provider: 'oracle', shareOfCapacity: 0.8, window: [0, 0.5] },
  ],
};

/**
 * The knobs of a family, given the gang share asked for (`--gang-share`, default 0.1).
 *
 * @example familyProfile('gang-heavy', 0.1).gangShare // 0.5
 */
export function familyProfile(family: Family, gangShare: number): FamilyProfile {
  switch (family) {
    case 'standard':
      return { ...STANDARD, gangShare };
    case 'gang-heavy':
      return { ...STANDARD, gangShare: Math.max(gangShare, 0.5), exactGangCount: true };
    case 'tight':
      return { ...STANDARD, gangShare, exactGangCount: true, demandToCapacity: 2 };
    case 'long-gangs':
      return {
        ...STANDARD,
        gangShare: Math.max(gangShare, 0.25),
        exactGangCount: true,
        gangMonths: [12, 24],
      };
    case 'many-accelerators':
      return { ...STANDARD, gangShare, exactGangCount: true, acceleratorsPerWorkload: [3, 4] };
    case 'rofr-pending':
      return { ...STANDARD, gangShare, exactGangCount: true, newShare: 0.9, rofrCleared: 0.2 };
    case 'binding-commitments':
      return {
        ...STANDARD,
        ...BINDING,
        gangShare,
        exactGangCount: true,
        demandToCapacity: 0.6,
      };
    case 'mixed':
      return {
        ...STANDARD,
        ...BINDING,
        gangShare: Math.max(gangShare, 0.35),
        exactGangCount: true,
        gangMonths: [4, 18],
        acceleratorsPerWorkload: [2, 4],
        newShare: 0.7,
        rofrCleared: 0.5,
        demandToCapacity: 1.3,
      };
  }
}

/** Whether workload `index` of `count` is a gang under an exact share (evenly spaced). */
export function isSpacedGang(index: number, count: number, share: number): boolean {
  const target = Math.round(share * count);
  return Math.floor(((index + 1) * target) / count) > Math.floor((index * target) / count);
}
