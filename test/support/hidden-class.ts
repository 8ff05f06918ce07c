import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--allow-natives-syntax');
// Compiled after the flag: V8's own test of whether two objects have one hidden class (map).
const haveSameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: object, b: object) => boolean;

/**
 * Whether V8 gave `a` and `b` one hidden class. Objects built alike should: on Node 20's V8 an
 * object spread followed by a key the source lacks got a class of its own each time, so every
 * read of such objects missed its inline cache and their classes' descriptors were promoted
 * (docs/capacity.md, twenty-second session).
 */
export function shareHiddenClass(a: object, b: object): boolean {
  return haveSameMap(a, b);
}
