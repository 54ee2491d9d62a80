/** kubekeeper's own version, recorded in every manifest. */
import { buildInfo } from '../build-info.js';

/** This build's version (package.json's, or the one fixed in the single-file build); "unknown" if none. */
export async function kubekeeperVersion(): Promise<string> {
  return (await buildInfo()).version;
}
