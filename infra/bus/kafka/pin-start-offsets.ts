import { setTimeout as sleep } from 'node:timers/promises';
import type { Admin, Kafka } from 'kafkajs';
import pRetry from 'p-retry';

/**
 * Gives a group a real committed offset on every partition before a `fromBeginning: false` member
 * runs.
 *
 * kafkajs resolves a partition without a committed offset by committing a sentinel (-1 "latest",
 * -2 "earliest") and reading from there. A member restarted later with `fromBeginning: false`
 * resolves the sentinel to the end *again*, skipping whatever reached that partition while the
 * group was down: events lost for a group that simply had nothing on that partition before.
 * So, before the member starts:
 *  - a new group (no offset anywhere) is pinned to the end of every partition: "from now on";
 *  - a group with offsets on some partitions only gets the others pinned to their earliest
 *    retained offset: it has been consuming, so what it never saw must still come (duplicates are
 *    allowed, losses are not).
 * Offsets can only be set while the group has no running member; running members already did this
 * themselves, so a group in use is left alone.
 */
export async function pinStartOffsets(kafka: Kafka, groupId: string, topic: string): Promise<void> {
  // A topic created a moment ago may not have elected its partitions' leaders everywhere yet
  // (NOT_LEADER_FOR_PARTITION, LEADER_NOT_AVAILABLE). kafkajs marks those retriable, but its admin's
  // fetchTopicOffsets gives up on them at once and keeps the metadata that named the wrong broker,
  // so each attempt is made by a new admin client, which asks for fresh metadata.
  await pRetry(() => pinOnce(kafka, groupId, topic), {
    retries: 8,
    minTimeout: 100,
    maxTimeout: 2000,
    shouldRetry: (error) => (error as { retriable?: unknown }).retriable === true,
  });
}

async function pinOnce(kafka: Kafka, groupId: string, topic: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    for (let attempt = 0; ; attempt += 1) {
      const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
      const all = committed?.partitions ?? [];
      const unset = new Set(all.filter((p) => Number(p.offset) < 0).map((p) => p.partition));
      if (unset.size === 0) return;
      const { groups } = await admin.describeGroups([groupId]);
      const state = groups[0]?.state ?? 'Empty';
      if (state === 'Stable') return; // other members run: they pinned it when the group began
      if (state === 'Empty' || state === 'Dead') {
        const fresh = unset.size === all.length;
        await pin(kafka, admin, groupId, topic, unset, fresh ? 'high' : 'low');
        return;
      }
      // PreparingRebalance / CompletingRebalance: a member is leaving or joining; ask again.
      if (attempt >= 20) return;
      await sleep(250);
    }
  } finally {
    await admin.disconnect();
  }
}

async function pin(
  kafka: Kafka,
  admin: Admin,
  groupId: string,
  topic: string,
  unset: ReadonlySet<number>,
  end: 'high' | 'low',
): Promise<void> {
  const offsets = await admin.fetchTopicOffsets(topic);
  const partitions = offsets
    .filter((p) => unset.has(p.partition))
    .map((p) => ({ partition: p.partition, offset: end === 'high' ? p.high : p.low }));
  await commitAsSoleMember(kafka, groupId, topic, partitions);
}

/**
 * What kafkajs' admin.setOffsets does (join the empty group, seek, let the seek commit on the next
 * fetch, leave), with a short fetch wait: admin.setOffsets long-polls 5 s on an idle topic.
 */
async function commitAsSoleMember(
  kafka: Kafka,
  groupId: string,
  topic: string,
  partitions: readonly { partition: number; offset: string }[],
): Promise<void> {
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100, allowAutoTopicCreation: false });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic] });
    let seeksQueued = false;
    let fetchAfterSeeks = false;
    const committed = new Promise<void>((resolve) => {
      // Seeks are committed at the start of a fetch: wait for one that began after they were queued.
      consumer.on(consumer.events.FETCH_START, () => {
        if (seeksQueued) fetchAfterSeeks = true;
      });
      consumer.on(consumer.events.FETCH, () => fetchAfterSeeks && resolve());
    });
    await consumer.run({ eachBatchAutoResolve: false, eachBatch: async () => undefined });
    consumer.pause([{ topic }]); // it only commits, it reads nothing
    for (const { partition, offset } of partitions) consumer.seek({ topic, partition, offset });
    seeksQueued = true;
    await committed;
  } finally {
    await consumer.disconnect();
  }
}
