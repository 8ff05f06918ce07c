import { SlotMap } from './slot-map';

/**
 * Runs tasks one after another per key, concurrently across keys. A meeting's commands are
 * serialised on the node that handles them, so its cached state is never decided on twice.
 */
export class KeyedQueue {
  private readonly tails = new SlotMap<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  get size(): number {
    return this.tails.size;
  }
}
