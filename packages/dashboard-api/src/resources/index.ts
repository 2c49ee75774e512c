export { ResourceSampler } from './resource-sampler.js';
export type {
  GpuProcessView,
  GpuView,
  ResourceSamplerOptions,
  ResourcesSnapshot,
} from './resource-sampler.js';
