import type { observer as MediasoupObserver, types } from 'mediasoup';

/**
 * Every live mediasoup object of this process, followed through mediasoup's own observer API
 * (independently of the SFU's bookkeeping): what tests inspect to prove that nothing leaked and
 * that a pause or a preferred layer really reached mediasoup.
 */
export interface MediasoupCensus {
  workers: Set<types.Worker>;
  routers: Set<types.Router>;
  transports: Set<types.Transport>;
  producers: Map<string, types.Producer>;
  consumers: Map<string, types.Consumer>;
  /** The producer with this id and its piped copies on other routers. */
  producersWithId(producerId: string): types.Producer[];
  /** Live objects whose router belongs to the given meeting (routers carry appData.meetingId). */
  ofMeeting(meetingId: string): { routers: number; transports: number; producers: number; consumers: number };
  stop(): void;
}

export function startCensus(observer: typeof MediasoupObserver): MediasoupCensus {
  const workers = new Set<types.Worker>();
  const routers = new Set<types.Router>();
  const transports = new Set<types.Transport>();
  const producers = new Map<string, types.Producer>();
  const consumers = new Map<string, types.Consumer>();
  const meetingOf = new Map<object, string | undefined>();

  const onWorker = (worker: types.Worker) => {
    workers.add(worker);
    worker.observer.once('close', () => workers.delete(worker));
    worker.observer.on('newrouter', (router) => {
      routers.add(router);
      const meetingId = router.appData['meetingId'] as string | undefined;
      meetingOf.set(router, meetingId);
      router.observer.once('close', () => routers.delete(router));
      router.observer.on('newtransport', (transport) => {
        transports.add(transport);
        meetingOf.set(transport, meetingId);
        transport.observer.once('close', () => transports.delete(transport));
        transport.observer.on('newproducer', (producer) => {
          producers.set(producer.id + ':' + transport.id, producer);
          meetingOf.set(producer, meetingId);
          producer.observer.once('close', () => producers.delete(producer.id + ':' + transport.id));
        });
        transport.observer.on('newconsumer', (consumer) => {
          consumers.set(consumer.id, consumer);
          meetingOf.set(consumer, meetingId);
          consumer.observer.once('close', () => consumers.delete(consumer.id));
        });
      });
    });
  };
  observer.on('newworker', onWorker);

  const countOf = (items: Iterable<object>, meetingId: string) =>
    [...items].filter((item) => meetingOf.get(item) === meetingId).length;

  return {
    workers,
    routers,
    transports,
    producers,
    consumers,
    producersWithId: (producerId) => [...producers.values()].filter((p) => p.id === producerId),
    ofMeeting: (meetingId) => ({
      routers: countOf(routers, meetingId),
      transports: countOf(transports, meetingId),
      producers: countOf(producers.values(), meetingId),
      consumers: countOf(consumers.values(), meetingId),
    }),
    stop: () => observer.off('newworker', onWorker),
  };
}
