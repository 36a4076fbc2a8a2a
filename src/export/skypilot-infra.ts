/**
 * How scenario providers, sites and accelerators are named in SkyPilot. Data, not code.
 *
 * Sources, both in skypilot-org/skypilot:
 * - `sky/skylet/constants.py` `ALL_CLOUDS` (commit 0015e8ecf7387add6114d98bd9b38cbb480d605f):
 *   the cloud names `infra` accepts;
 * - `sky/utils/schemas.py` `_get_infra_pattern` (commit 00052dfe0d132c5ad6aa9a175572b0695f747c80):
 *   `cloud[/region[/zone]]`, `*` wildcards, or `k8s`/`kubernetes` with a context.
 */

/**
 * SkyPilot's clouds that need no more than their name: a provider whose id is one of these
 * maps to it without being told. `kubernetes`, `ssh` and `slurm` are left out: they need a
 * context or a cluster, which only the user knows (`--infra SITE=k8s/CONTEXT`).
 */
export const SKYPILOT_CLOUDS: readonly string[] = [
  'aws',
  'azure',
  'gcp',
  'ibm',
  'lambda',
  'scp',
  'oci',
  'runpod',
  'vast',
  'vsphere',
  'cudo',
  'fluidstack',
  'paperspace',
  'primeintellect',
  'do',
  'nebius',
  'hyperbolic',
  'seeweb',
  'shadeform',
  'yotta',
  'mithril',
  'verda',
];

const ALL_CLOUDS = [...SKYPILOT_CLOUDS, 'kubernetes', 'ssh', 'slurm'];

/**
 * An `infra` value as SkyPilot's schema accepts it, without wildcards: a wildcard reaches
 * places no one looked at, which is what the export exists to prevent.
 */
export const INFRA_PATTERN = new RegExp(
  `^(?:(?:${ALL_CLOUDS.join('|')})(?:/[^/]+(?:/[^/]+)?)?|(?:kubernetes|k8s)(?:/.+)?)$`,
  'i',
);

/** SkyPilot's accelerator names (its catalogs) for the scenario's accelerator ids. */
export const SKYPILOT_ACCELERATORS: Readonly<Record<string, string>> = {
  a100: 'A100-80GB',
  h100: 'H100',
  h200: 'H200',
  b200: 'B200',
  gb200: 'GB200',
  gb300: 'GB300',
};

/**
 * GPUs one node holds, for `accelerators: NAME:COUNT`: 8 on HGX boards; 4 on a Grace
 * Blackwell compute tray (two Grace CPUs, four GPUs), and on a Vera Rubin NVL144 tray as
 * announced (two Vera CPUs, four Rubin packages). Others: 8. `--gpus-per-node` overrides it.
 */
export const GPUS_PER_NODE: Readonly<Record<string, number>> = {
  a100: 8,
  h100: 8,
  h200: 8,
  b200: 8,
  gb200: 4,
  gb300: 4,
  vr200: 4,
};

export const DEFAULT_GPUS_PER_NODE = 8;

/**
 * Whether a task's `infra` may send work where `target` names: the same place, or one inside
 * it (`azure` holds `azure/eastus`, `k8s` every context; `k8s/CONTEXT` holds only itself, as
 * a context's name may itself hold slashes). Compared without case, to err on the safe side.
 */
export function infraCovers(infra: string, target: string): boolean {
  const norm = (text: string) => text.toLowerCase().replace(/^kubernetes(?=\/|$)/, 'k8s');
  const a = norm(infra);
  const b = norm(target);
  if (a === b) return true;
  if (a === 'k8s') return b.startsWith('k8s/');
  if (a.startsWith('k8s/')) return false;
  return b.startsWith(`${a}/`);
}
