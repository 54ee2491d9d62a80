/**
 * Named limits for lengths and counts read from a snapshot. Every value that decides how much
 * to read, allocate or loop over is checked against one of these (or against the file size)
 * before use, so a corrupt or hostile file cannot make the reader allocate without bound,
 * recurse without end or loop forever.
 */

/** Smallest page size accepted; bbolt uses the OS page size, never below 1 KiB in practice. */
export const MIN_PAGE_SIZE = 1024;
/** Largest page size accepted (64 KiB pages exist on some arm64/ppc64le kernels). */
export const MAX_PAGE_SIZE = 64 * 1024;
/**
 * Largest node (first page + overflow pages) read into memory at once. etcd caps requests at
 * 1.5 MiB by default, so real nodes are far smaller; this bounds memory on corrupt input.
 */
export const MAX_NODE_BYTES = 64 * 1024 * 1024;
/**
 * Deepest branch/leaf tree accepted. bbolt nodes hold at least 2 elements, so a tree deeper
 * than 64 levels would need more pages than a 2^53-byte file can hold.
 */
export const MAX_TREE_DEPTH = 64;
/** Deepest bucket nesting accepted (etcd never nests; bbolt allows it). */
export const MAX_BUCKET_DEPTH = 16;
/** bbolt's MaxKeySize. */
export const MAX_KEY_BYTES = 32768;
/** How many problems of one kind a check lists before it only counts them. */
export const MAX_REPORTED_PROBLEMS = 20;
