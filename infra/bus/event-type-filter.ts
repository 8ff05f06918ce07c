import type { BusSubscribeOptions } from '../../domain/ports/event-bus';

/** The event types a group asked for (`types`), or undefined when it wants every event. */
export function wantedTypes(options: BusSubscribeOptions): ReadonlySet<string> | undefined {
  return options.types ? new Set(options.types) : undefined;
}

/**
 * A group's handler as the bus calls it: only the `wanted` types reach it, and a batch with none
 * of them is answered at once. Without `wanted`, the handler itself.
 */
export function handlerOfTypes(
  handler: BusSubscribeOptions['handler'],
  wanted: ReadonlySet<string> | undefined,
): BusSubscribeOptions['handler'] {
  if (!wanted) return handler;
  return async (events) => {
    const mine = events.filter((event) => wanted.has(event.type));
    if (mine.length > 0) await handler(mine);
  };
}
