/**
 * The value NVIDIA's GPU feature discovery (GFD, part of the GPU Operator) gives the node label
 * `nvidia.com/gpu.product` for the parts a scenario's accelerators name: the product name NVML
 * reports, spaces turned into `-`. A ResourceFlavor with it selects only nodes that carry that
 * part. Data, not code: an accelerator not listed gets no product label, and its flavor selects
 * nodes by `stargate.dev/pool` alone.
 *
 * - `h100`: the SXM part of HGX and DGX H100 systems; NVML names it `NVIDIA H100 80GB HBM3`
 *   (the nvidia-smi fixture of the node agent). PCIe and NVL cards are other products.
 * - `gb200`, `gb300`: NVML names the Blackwell GPUs of Grace superchips `NVIDIA GB200` and
 *   `NVIDIA GB300` (the identifiers NVIDIA's NIM support matrix uses).
 * - `vr200` (Vera Rubin) is left out until the part ships and its name is known.
 */
export const GPU_PRODUCT_LABELS: Readonly<Record<string, string>> = {
  a100: 'NVIDIA-A100-SXM4-80GB',
  h100: 'NVIDIA-H100-80GB-HBM3',
  h200: 'NVIDIA-H200',
  b200: 'NVIDIA-B200',
  gb200: 'NVIDIA-GB200',
  gb300: 'NVIDIA-GB300',
};

/** The label GFD sets on GPU nodes, and the one stargate's flavors select pools by. */
export const GPU_PRODUCT_LABEL = 'nvidia.com/gpu.product';
export const POOL_LABEL = 'stargate.dev/pool';
