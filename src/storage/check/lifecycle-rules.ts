/**
 * Which bucket lifecycle rules could delete backups behind retention's back: an enabled rule
 * with an Expiration (days or a date) whose filter can match objects under the repository
 * folder. Tag and size filters are not resolved (backup objects carry no tags, and sizes
 * vary), so a rule with them counts as matching. Pure: takes the rules as the SDK returns them.
 */
import type { StorageCheck } from './check-result.js';

/** The parts of an S3 LifecycleRule this analysis reads. */
export interface LifecycleRuleShape {
  ID?: string;
  Status?: string;
  Prefix?: string;
  Filter?: { Prefix?: string; And?: { Prefix?: string } };
  Expiration?: { Days?: number; Date?: Date | string; ExpiredObjectDeleteMarker?: boolean };
  NoncurrentVersionExpiration?: { NoncurrentDays?: number };
  AbortIncompleteMultipartUpload?: { DaysAfterInitiation?: number };
  Transitions?: unknown[];
}

function rulePrefix(rule: LifecycleRuleShape): string {
  return rule.Filter?.Prefix ?? rule.Filter?.And?.Prefix ?? rule.Prefix ?? '';
}

/** True when some key under `folderPrefix` ("prod/" or "") can start with `prefix`. */
function overlaps(prefix: string, folderPrefix: string): boolean {
  return prefix.startsWith(folderPrefix) || folderPrefix.startsWith(prefix);
}

/** One check row for the lifecycle configuration; `rules` undefined means none configured. */
export function lifecycleCheck(rules: readonly LifecycleRuleShape[] | undefined, folder: string): Omit<StorageCheck, 'name'> {
  const folderPrefix = folder === '' ? '' : `${folder}/`;
  const applying = (rules ?? []).filter((r) => r.Status === 'Enabled' && overlaps(rulePrefix(r), folderPrefix));
  const expiring = applying.filter((r) => r.Expiration && (r.Expiration.Days !== undefined || r.Expiration.Date !== undefined));
  if (expiring.length > 0) {
    const what = expiring.map((r) => {
      const when = r.Expiration?.Days !== undefined ? `after ${r.Expiration.Days} days` : `on ${new Date(r.Expiration?.Date as string).toISOString().slice(0, 10)}`;
      return `rule "${r.ID ?? '(no ID)'}" (prefix "${rulePrefix(r)}") expires objects ${when}`;
    });
    return {
      status: 'fail',
      detail: `Lifecycle ${what.join('; ')}: backups would be deleted whatever retention keeps, the newest verified one included`,
      hint: 'Remove the Expiration action or narrow the rule\'s prefix to exclude the repository folder; "kubekeeper backup prune" applies retention',
    };
  }
  const abort = applying.find((r) => r.AbortIncompleteMultipartUpload?.DaysAfterInitiation !== undefined);
  if (applying.length === 0) {
    return { status: 'ok', detail: `No lifecycle rule applies to "${folderPrefix || '(bucket root)'}"; unfinished uploads are aborted by "backup prune" after 24h` };
  }
  return {
    status: 'ok',
    detail: `${applying.length} lifecycle rule(s) apply, none expires objects${abort ? `; rule "${abort.ID ?? '(no ID)'}" aborts unfinished uploads after ${abort.AbortIncompleteMultipartUpload?.DaysAfterInitiation} days` : ''}`,
  };
}
