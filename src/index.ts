/** Node entry: the pure core plus the adapters for files, ffmpeg and sharp. */
export * from './core.js';
export { openInput, openReusable, sniffKind, type InputKind } from './io/open-input.js';
export { loadStill, type ReadStillOptions } from './io/still.js';
export { type InputPaths } from './io/output-checks.js';
export { writeFileAtomic } from './io/output-file.js';
export { openVideo, type VideoRead } from './io/video-in.js';
export type { ClipOptions } from './clip-options.js';
export { clusterInThread } from './io/kmeans-thread.js';
export { clipWriterOptions, createFrameWriter, inputOptionsFor, outputKind, type FinishOptions, type FrameWriter, type FrameWriterOptions, type OutputKind } from './io/frame-writer.js';
