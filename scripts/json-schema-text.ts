/** A zod schema's JSON Schema, told in one line for the generated protocol pages. */

export type JsonSchema = {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  description?: string;
  additionalProperties?: JsonSchema | boolean;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  maxLength?: number;
  minLength?: number;
  minimum?: number;
  maximum?: number;
  maxItems?: number;
};

export function describeSchema(s: JsonSchema): string {
  if (s.anyOf) return s.anyOf.map(describeSchema).join(' or ');
  if (s.const !== undefined) return `\`${JSON.stringify(s.const)}\``;
  if (s.enum) return s.enum.map((v) => `\`${JSON.stringify(v)}\``).join(' \\| ');
  // The only untyped schemas are the media structures (protocol/signaling.ts, opaqueObject).
  if (s.type === undefined)
    return s.description ?? 'object (an RTP/DTLS structure; its fields are checked by the SFU)';
  const type = Array.isArray(s.type) ? s.type.join(' or ') : s.type;
  const limits: string[] = [];
  if (s.minLength !== undefined && s.minLength > 0) limits.push(`≥ ${s.minLength} chars`);
  if (s.maxLength !== undefined) limits.push(`≤ ${s.maxLength} chars`);
  if (s.minimum !== undefined && s.minimum > -Number.MAX_SAFE_INTEGER) limits.push(`≥ ${s.minimum}`);
  if (s.maximum !== undefined && s.maximum < Number.MAX_SAFE_INTEGER) limits.push(`≤ ${s.maximum}`);
  if (s.maxItems !== undefined) limits.push(`≤ ${s.maxItems} items`);
  if (type === 'array' && s.items)
    return `array of ${describeSchema(s.items)}${limits.length ? ` (${limits.join(', ')})` : ''}`;
  if (type === 'object' && !s.properties && typeof s.additionalProperties === 'object')
    return `object: by key, ${describeSchema(s.additionalProperties)}`;
  if (type === 'object' && s.properties)
    return `{ ${Object.entries(s.properties)
      .map(([k, v]) => `${k}${s.required?.includes(k) ? '' : '?'}: ${describeSchema(v)}`)
      .join(', ')} }`;
  return limits.length ? `${type} (${limits.join(', ')})` : type;
}
