import type { BusSubscribeOptions } from '../../domain/ports/event-bus';

/**
 * A group's handler as the bus calls it: only the event types the group named (`types`) reach
 * it, and a batch with none of them is answered at once. Absent `types`, the handler itself.
 */
export function handlerOfTypes(options: BusSubscribeOptions): BusSubscribeOptions['handler'] {
  const wanted = wantedTypes(options);
  if (!wanted) return options.handler;
  return async (events) => {
    const mine = events.filter((event) => wanted.has(event.type));
    if (mine.length > 0) await options.handler(mine);
  };
}

/** The set of event types the group wants, or undefined for all of them. */
export function wantedTypes(options: BusSubscribeOptions): ReadonlySet<string> | undefined {
  return options.types ? new Set(options.types) : undefined;
}
