/**
 * What `tributary reset <application-id>` deletes, decided from the cluster's topic list:
 * the application's internal topics — changelogs `<app>-<store>-changelog` and repartition topics
 * `<app>-<name>-repartition` — and its dead-letter topic (`<app>-dlq` unless configured otherwise).
 * Input and output topics are never touched. Like the Kafka Streams reset tool this matches by
 * prefix, so when an application id is a prefix of another one (`app` and `app-2`) the other id
 * must be named (`--keep-application app-2`) to keep its topics; the plan is always printed first.
 */

export interface ResetPlan {
  readonly applicationId: string;
  /** Topics to delete, sorted. */
  readonly topics: readonly string[];
  /** Matching topics left alone, with the reason. */
  readonly skipped: readonly { readonly topic: string; readonly reason: string }[];
}

const INTERNAL_SUFFIXES = ['-changelog', '-repartition'] as const;

/**
 * Selects the topics of `applicationId` from `allTopics`. `otherApplicationIds` are ids known to
 * exist (e.g. from `--keep-application`): a topic under a longer id that starts with this one is
 * skipped, because it belongs to that application.
 */
export function planReset(
  applicationId: string,
  allTopics: readonly string[],
  options: { readonly deadLetterTopic: string; readonly otherApplicationIds?: readonly string[] },
): ResetPlan {
  const prefix = `${applicationId}-`;
  const others = (options.otherApplicationIds ?? []).filter((o) => o !== applicationId && o.startsWith(prefix));
  const topics: string[] = [];
  const skipped: { topic: string; reason: string }[] = [];
  for (const topic of [...allTopics].sort()) {
    const internal =
      topic.startsWith(prefix) && topic.length > prefix.length && INTERNAL_SUFFIXES.some((s) => topic.endsWith(s) && topic.length > prefix.length + s.length);
    if (!internal && topic !== options.deadLetterTopic) continue;
    const owner = others.find((o) => topic.startsWith(`${o}-`));
    if (owner !== undefined && topic !== options.deadLetterTopic) {
      skipped.push({ topic, reason: `belongs to application '${owner}'` });
      continue;
    }
    topics.push(topic);
  }
  return { applicationId, topics, skipped };
}
