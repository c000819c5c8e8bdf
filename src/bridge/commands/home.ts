// Wi-Fi, call log and display commands (shared/reference/freebox-api-extras.md; README
// "Command topics": `wifi/config/set`, `calls/mark_read`, `lcd/config/set`). Every change needs
// the `settings` right; marking calls read needs `calls`.
import type { LcdConfigUpdate, WifiConfigUpdate } from "../../freebox/types-home.js";
import { isRecord } from "../../json.js";
import { invalid, quote, rawInteger } from "../validate.js";
import { booleanField, type FieldSpec, type SettingsArea, textField } from "./settings.js";
import type { CommandContext, CommandDef } from "./types.js";

export const wifiConfigArea: SettingsArea<WifiConfigUpdate> = {
  name: "wifi/config",
  resource: "wifi",
  fields: { enabled: booleanField },
  // The filter's lists are managed per access point in Freebox OS, not from here.
  readOnly: new Set(["mac_filter_state"]),
  apply: (ctx, update) => ctx.api.updateWifiConfig(update),
};

/** `brightness` and `led_strip_brightness` are 0–100 (freebox-api-extras.md). */
function checkPercent(field: string, value: unknown): number {
  if (typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= 100) return value;
  throw invalid(`${field} must be an integer from 0 to 100, got ${quote(value)}`);
}

const percentField: FieldSpec<number> = { check: checkPercent, raw: rawInteger };
// The longest animation name real boxes list is 9 characters; 64 refuses nonsense early, and
// the name is then checked against the box's own list.
const animationField: FieldSpec<string> = { ...textField(64), raw: (text) => text.trim() };

const LED_FIELDS = ["led_strip_enabled", "led_strip_brightness", "led_strip_animation"] as const;

/**
 * The LED strip fields only on a box that has one (it sends `led_strip_enabled`), and an animation
 * only from the box's own list: checked against the last answer, read now when there is none.
 */
async function checkLedStrip(ctx: CommandContext, update: LcdConfigUpdate): Promise<void> {
  if (!LED_FIELDS.some((f) => update[f] !== undefined)) return;
  let lcd = ctx.current("lcd");
  if (!isRecord(lcd)) lcd = await ctx.api.getLcdConfig();
  const known = isRecord(lcd) ? lcd : {};
  if (typeof known.led_strip_enabled !== "boolean") {
    throw invalid("this box has no LED strip (lcd/config has no led_strip_enabled)");
  }
  const animation = update.led_strip_animation;
  if (animation === undefined) return;
  const list = Array.isArray(known.available_led_strip_animations)
    ? known.available_led_strip_animations.filter((a): a is string => typeof a === "string")
    : [];
  if (!list.includes(animation)) {
    throw invalid(
      `led_strip_animation ${quote(animation)} is not one of this box's animations (${list.join(", ")})`,
    );
  }
}

export const lcdConfigArea: SettingsArea<LcdConfigUpdate> = {
  name: "lcd/config",
  resource: "lcd",
  fields: {
    brightness: percentField,
    led_strip_enabled: booleanField,
    led_strip_brightness: percentField,
    led_strip_animation: animationField,
  },
  readOnly: new Set([
    "orientation",
    "orientation_forced",
    "hide_wifi_key",
    "hide_status_led",
    "available_led_strip_animations",
    "screensaver",
  ]),
  apply: async (ctx, update) => {
    await checkLedStrip(ctx, update);
    return ctx.api.updateLcdConfig(update);
  },
};

/** `calls/mark_read`: any payload (`PRESS` from the button) marks every call read. */
export const markCallsRead: CommandDef = {
  payload: "any",
  prepare: () => ({
    queue: "calls",
    refresh: "calls",
    run: async (ctx) => {
      await ctx.api.markCallsRead();
      return null;
    },
  }),
};
