/**
 * Kubeconfig resolution as kubectl does it: --kubeconfig, else every file in KUBECONFIG
 * (path-list; missing files ignored; for clusters, users and contexts the FIRST file that
 * defines a name wins, as does the first current-context), else ~/.kube/config, else the
 * in-cluster service account. --context then selects a context.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import type { Cluster, Context, User } from '@kubernetes/client-node';
import { AppError, fileErrorText } from '../../errors.js';

export interface KubeConfigSource {
  /** --kubeconfig: one file, used alone. */
  kubeconfig?: string;
  /** --context: overrides current-context. */
  context?: string;
  /** Where KUBECONFIG, HOME and KUBERNETES_SERVICE_HOST are read. */
  env: NodeJS.ProcessEnv;
}

const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

function loadFile(file: string): KubeConfig {
  const kc = new KubeConfig();
  try {
    kc.loadFromFile(file);
  } catch (err) {
    throw new AppError('kubeconfig', `Cannot load kubeconfig "${file}": ${fileErrorText(err)}`, {
      cause: err,
      hint: 'Pass a readable kubeconfig with --kubeconfig, or fix KUBECONFIG',
    });
  }
  return kc;
}

function mergeFirstWins(configs: readonly KubeConfig[]): KubeConfig {
  const clusters = new Map<string, Cluster>();
  const users = new Map<string, User>();
  const contexts = new Map<string, Context>();
  let currentContext = '';
  for (const kc of configs) {
    for (const c of kc.getClusters()) if (!clusters.has(c.name)) clusters.set(c.name, c);
    for (const u of kc.getUsers()) if (!users.has(u.name)) users.set(u.name, u);
    for (const c of kc.getContexts()) if (!contexts.has(c.name)) contexts.set(c.name, c);
    if (currentContext === '') currentContext = kc.getCurrentContext() ?? '';
  }
  const merged = new KubeConfig();
  merged.loadFromOptions({ clusters: [...clusters.values()], users: [...users.values()], contexts: [...contexts.values()], currentContext });
  return merged;
}

/** Resolves and loads the kubeconfig; throws AppError naming what was tried. */
export function loadKubeConfig(source: KubeConfigSource): KubeConfig {
  let kc: KubeConfig;
  if (source.kubeconfig !== undefined && source.kubeconfig !== '') {
    kc = loadFile(source.kubeconfig);
  } else if (source.env.KUBECONFIG) {
    const files = source.env.KUBECONFIG.split(path.delimiter).filter((f) => f !== '' && existsSync(f));
    if (files.length === 0) throw new AppError('kubeconfig', `No file named in KUBECONFIG exists ("${source.env.KUBECONFIG}")`, { hint: 'Fix KUBECONFIG or pass --kubeconfig' });
    kc = mergeFirstWins(files.map(loadFile));
  } else if (source.env.HOME && existsSync(path.join(source.env.HOME, '.kube', 'config'))) {
    kc = loadFile(path.join(source.env.HOME, '.kube', 'config'));
  } else if (source.env.KUBERNETES_SERVICE_HOST && existsSync(SERVICE_ACCOUNT_TOKEN)) {
    kc = new KubeConfig();
    kc.loadFromCluster();
  } else {
    throw new AppError('kubeconfig', 'No kubeconfig found: --kubeconfig is not set, KUBECONFIG is empty and ~/.kube/config does not exist', {
      hint: 'Pass --kubeconfig FILE or set KUBECONFIG',
    });
  }
  if (source.context !== undefined && source.context !== '') {
    if (!kc.getContextObject(source.context)) {
      throw new AppError('kubeconfig', `Context "${source.context}" does not exist in the kubeconfig`, {
        hint: `Use one of: ${kc.getContexts().map((c) => c.name).join(', ') || '(none)'}`,
      });
    }
    kc.setCurrentContext(source.context);
  }
  if (!kc.getCurrentCluster()) {
    throw new AppError('kubeconfig', `The kubeconfig has no cluster for context "${kc.getCurrentContext()}"`, { hint: 'Choose a context with --context' });
  }
  return kc;
}
