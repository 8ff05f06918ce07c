import { z } from 'zod';
import { recordSchema, recordTypes } from './records';

/** JSON Schema (draft 2020-12) of every record type, generated from its zod schema. */
export function analyticsJsonSchemas(): Record<string, object> {
  return Object.fromEntries(
    recordTypes.map((type) => [
      type,
      {
        $id: `${type}.json`,
        title: type,
        ...z.toJSONSchema(recordSchema(type), { target: 'draft-2020-12' }),
      },
    ]),
  );
}
