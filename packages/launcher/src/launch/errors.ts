/** The plan has a `gpuPolicy` but `nvidia-smi` cannot be asked. */
export class GpuPolicyUnavailableError extends Error {
  override readonly name = 'GpuPolicyUnavailableError';
  readonly code = 'RUNBOARD_GPU_POLICY_UNAVAILABLE';
  constructor(
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`The plan's gpuPolicy needs nvidia-smi: ${reason}`, options);
  }
}
