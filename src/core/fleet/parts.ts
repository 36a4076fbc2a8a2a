/**
 * Which scenario accelerator a GPU is, from the product name `nvidia-smi` prints (`NVIDIA H100
 * 80GB HBM3`) or DCGM's `modelName`. Data, not code: `stargate serve --gpu-parts FILE` replaces
 * the defaults. The first rule whose `prefix` starts the name wins, so put the longer prefixes
 * first (`NVIDIA GB200` before a hypothetical `NVIDIA GB`).
 */
export interface GpuPartRule {
  /** The start of the product name, compared without case. */
  readonly prefix: string;
  /** The scenario's accelerator id. */
  readonly accelerator: string;
}

/**
 * The NVIDIA parts the example scenario names, plus their close relatives. The Vera Rubin
 * prefix is a guess until the part ships; override it with `--gpu-parts` if the name differs.
 */
export const DEFAULT_GPU_PARTS: readonly GpuPartRule[] = [
  { prefix: 'NVIDIA H100', accelerator: 'h100' },
  { prefix: 'NVIDIA H800', accelerator: 'h100' },
  { prefix: 'NVIDIA H200', accelerator: 'h200' },
  { prefix: 'NVIDIA GH200', accelerator: 'gh200' },
  { prefix: 'NVIDIA B200', accelerator: 'b200' },
  { prefix: 'NVIDIA GB200', accelerator: 'gb200' },
  { prefix: 'NVIDIA B300', accelerator: 'b300' },
  { prefix: 'NVIDIA GB300', accelerator: 'gb300' },
  { prefix: 'NVIDIA Vera Rubin', accelerator: 'vr200' },
  { prefix: 'NVIDIA VR200', accelerator: 'vr200' },
  { prefix: 'NVIDIA A100', accelerator: 'a100' },
];

/**
 * The accelerator a product name maps to, or undefined for a part no rule knows.
 *
 * @example acceleratorOfPart('NVIDIA H100 80GB HBM3', DEFAULT_GPU_PARTS) // 'h100'
 */
export function acceleratorOfPart(name: string, rules: readonly GpuPartRule[]): string | undefined {
  const lower = name.trim().toLowerCase();
  return rules.find((rule) => lower.startsWith(rule.prefix.toLowerCase()))?.accelerator;
}
