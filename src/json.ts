// What the box's answers and the MQTT payloads are read as: JSON objects checked before use.

export type Json = Record<string, unknown>;

/** A JSON object: not null, not an array. */
export const isRecord = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
