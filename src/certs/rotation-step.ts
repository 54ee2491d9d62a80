/** The pieces of a CA rotation plan, shared by the kubeadm and RKE step builders. */
import type { PkiInventory } from './inventory.js';

export type RotationPhase = 'prepare' | 'trust-both' | 're-issue' | 'verify' | 'drop-old';

export interface RotationStep {
  phase: RotationPhase;
  title: string;
  /** Where it runs: "one control-plane node", "every control-plane node, one at a time", ... */
  where: string;
  actions: string[];
}

/** Facts a step builder needs about the CA being rotated. */
export interface RotationContext {
  inventory: PkiInventory;
  ca: string;
  certPath: string;
  keyPath: string;
  keyAlgorithm: string;
  commonName: string;
  signs: { name: string; path: string }[];
}
