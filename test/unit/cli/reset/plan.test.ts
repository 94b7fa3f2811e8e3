import { describe, expect, it } from 'vitest';
import { planReset } from '../../../../lib/cli/reset/plan.js';

describe('planReset', () => {
  const topics = [
    'transactions',
    'bronze-app-KSTREAM-AGGREGATE-STATE-STORE-0000000002-changelog',
    'bronze-app-KSTREAM-KEY-SELECT-0000000003-repartition',
    'bronze-app-dlq',
    'bronze-app-output',
    'bronze-app-changelog',
    'other-app-store-changelog',
    'bronze-app-2-store-changelog',
    '__consumer_offsets',
  ];

  it("selects exactly the app's changelog, repartition and dead-letter topics", () => {
    const plan = planReset('bronze-app', topics, { deadLetterTopic: 'bronze-app-dlq' });
    expect(plan.topics).toEqual([
      'bronze-app-2-store-changelog',
      'bronze-app-KSTREAM-AGGREGATE-STATE-STORE-0000000002-changelog',
      'bronze-app-KSTREAM-KEY-SELECT-0000000003-repartition',
      'bronze-app-dlq',
    ]);
  });

  it('keeps topics of a named application whose id extends this one', () => {
    const plan = planReset('bronze-app', topics, { deadLetterTopic: 'bronze-app-dlq', otherApplicationIds: ['bronze-app-2'] });
    expect(plan.topics).not.toContain('bronze-app-2-store-changelog');
    expect(plan.skipped).toEqual([{ topic: 'bronze-app-2-store-changelog', reason: "belongs to application 'bronze-app-2'" }]);
  });

  it('uses a configured dead-letter topic', () => {
    const plan = planReset('bronze-app', ['bronze-app-dlq', 'quarantine'], { deadLetterTopic: 'quarantine' });
    expect(plan.topics).toEqual(['quarantine']);
  });
});
