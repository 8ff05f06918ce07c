import type { Clock } from '../../domain/ports/clock';

export const createSystemClock = (): Clock => ({ now: () => new Date() });
