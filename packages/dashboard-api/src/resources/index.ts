export { ResourceSampler } from './resource-sampler.js';
export type {
  GpuProcessView,
  GpuView,
  ResourceSamplerOptions,
  ResourcesSnapshot,
} from './resource-sampler.js';
export { ResourceFeed } from './resource-feed.js';
export type { ResourceFeedOptions, ResourceListener } from './resource-feed.js';
