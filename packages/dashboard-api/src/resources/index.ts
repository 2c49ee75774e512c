export { ResourceSampler } from './resource-sampler.js';
export type {
  GpuProcessView,
  GpuView,
  ResourceSamplerOptions,
  ResourcesSnapshot,
} from './resource-sampler.js';
export { ResourceFeed } from './resource-feed.js';
export type { ResourceFeedOptions, ResourceListener } from './resource-feed.js';
export { createIndexResourceSampler } from './index-resource-sampler.js';
export type { ServerPoolOptions } from './index-resource-sampler.js';
export { ServerPoolSampler } from './server-pool-sampler.js';
export type { ServerPoolSample, ServerPoolSamplerOptions } from './server-pool-sampler.js';
export type { ServerResourcesView } from './server-resources-view.js';
export { parseServerAnswer, serverQueryCommand } from './server-query.js';
export type { ServerAnswer, ServerProcess } from './server-query.js';
