// Settings objects changed by a partial PUT (connection config, IPv6, DynDNS, DHCP config): one
// declaration per area gives both command forms of README "Commands", `…/set` with a JSON object
// of writable fields and `…/set/<field>` with a raw value, validated the same way.
import type { ResourceId } from "../resources.js";
import {
  CommandError,
  checkBoolean,
  checkIpv4,
  checkPort,
  checkText,
  invalid,
  quote,
  rawBoolean,
  rawInteger,
} from "../validate.js";
import type { CommandContext, CommandDef, Plan, Route } from "./types.js";

export interface FieldSpec<T> {
  /** Checks a JSON value; returns it normalized, or throws CommandError naming the field. */
  check(field: string, value: unknown): T;
  /** Turns the raw payload of `…/set/<field>` into the JSON value that `check` expects. */
  raw(text: string): unknown;
  /** Write-only secret: its value is kept out of responses and logs. */
  secret?: boolean;
}

export const booleanField: FieldSpec<boolean> = { check: checkBoolean, raw: rawBoolean };
export const portField: FieldSpec<number> = { check: checkPort, raw: rawInteger };
export const ipv4Field: FieldSpec<string> = { check: checkIpv4, raw: (text) => text.trim() };
// Home Assistant text entities send the text as is, so raw text is taken verbatim.
export const textField = (max: number, secret = false): FieldSpec<string> => ({
  check: (field, value) => checkText(field, value, max, secret),
  raw: (text) => text,
  secret,
});

export interface SettingsArea<U extends object> {
  /** Names the area in messages, e.g. "connection/config". */
  name: string;
  /** Queue key and state re-polled after a success. */
  resource: ResourceId;
  /** Every writable field of the API's update type, with its check. */
  fields: { [K in keyof U]-?: FieldSpec<NonNullable<U[K]>> };
  /** Fields the box sends but refuses to take; named as read-only rather than unknown. */
  readOnly: ReadonlySet<string>;
  /** Context checks (may read the box) and the PUT; resolves to the response's data. */
  apply(ctx: CommandContext, update: U): Promise<unknown>;
}

// Enough to name every problem of a typical payload, not so many that a hostile one floods the answer.
const MAX_LISTED_ERRORS = 5;

function specOf<U extends object>(area: SettingsArea<U>, field: string): FieldSpec<unknown> | undefined {
  // Own keys only: a field named "constructor" or "__proto__" must not find Object's members.
  return Object.hasOwn(area.fields, field)
    ? (area.fields as Record<string, FieldSpec<unknown>>)[field]
    : undefined;
}

const writable = <U extends object>(area: SettingsArea<U>): string => Object.keys(area.fields).join(", ");

function refuseField<U extends object>(area: SettingsArea<U>, field: string): CommandError {
  if (area.readOnly.has(field)) return invalid(`${field} is read-only in ${area.name}`);
  return invalid(`unknown field ${quote(field)} in ${area.name} (writable: ${writable(area)})`);
}

function planFor<U extends object>(area: SettingsArea<U>, values: Record<string, unknown>): Plan {
  const secrets: string[] = [];
  for (const [field, value] of Object.entries(values)) {
    if (specOf(area, field)?.secret && typeof value === "string" && value !== "") secrets.push(value);
  }
  // The specs are typed after U's fields (see `fields`), so the checked values form a U.
  const update = values as U;
  return { queue: area.resource, refresh: area.resource, secrets, run: (ctx) => area.apply(ctx, update) };
}

/** Validates a `…/set` JSON object: every field named, every problem listed (up to a few). */
export function checkObject<U extends object>(
  area: SettingsArea<U>,
  body: Record<string, unknown>,
): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  const errors: string[] = [];
  for (const [field, value] of Object.entries(body)) {
    if (field === "transaction") continue;
    const spec = specOf(area, field);
    if (!spec) {
      errors.push(refuseField(area, field).message);
      continue;
    }
    try {
      values[field] = spec.check(field, value);
    } catch (e) {
      if (!(e instanceof CommandError)) throw e;
      errors.push(e.message);
    }
  }
  if (errors.length > 0) {
    const more = errors.length > MAX_LISTED_ERRORS ? ` (and ${errors.length - MAX_LISTED_ERRORS} more)` : "";
    throw invalid(`${errors.slice(0, MAX_LISTED_ERRORS).join("; ")}${more}`);
  }
  if (Object.keys(values).length === 0) {
    throw invalid(`nothing to change in ${area.name}: send at least one of ${writable(area)}`);
  }
  return values;
}

/** `…/set`: a JSON object of writable fields. */
export const objectCommand = <U extends object>(area: SettingsArea<U>): CommandDef => ({
  payload: "object",
  prepare: (body) => planFor(area, checkObject(area, body)),
});

/** `…/set/<field>`: one raw value. An unknown or read-only field is refused from the topic alone. */
export function fieldCommand<U extends object>(area: SettingsArea<U>, field: string): CommandDef {
  const spec = specOf(area, field);
  if (!spec) throw refuseField(area, field);
  return {
    payload: "raw",
    prepare: (text) => planFor(area, { [field]: spec.check(field, spec.raw(text)) }),
  };
}

/** Both command forms of an area whose name is its state topic: `<name>/set` and `<name>/set/<field>`. */
export function settingsRoutes<U extends object>(area: SettingsArea<U>): Route[] {
  return [
    [`${area.name}/set`, () => objectCommand(area)],
    [`${area.name}/set/<field>`, (p) => fieldCommand(area, p[0] ?? "")],
  ];
}
