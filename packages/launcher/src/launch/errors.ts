import { RunboardError } from '@runboard/locking';

/** The plan has a `gpuPolicy` but `nvidia-smi` cannot be asked. */
export class GpuPolicyUnavailableError extends RunboardError<'RUNBOARD_GPU_POLICY_UNAVAILABLE'> {
  constructor(
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(
      'RUNBOARD_GPU_POLICY_UNAVAILABLE',
      `The plan's gpuPolicy needs nvidia-smi: ${reason}`,
      options,
    );
  }
}
