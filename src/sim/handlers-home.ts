// wifi/config/, call/log/, storage/ and lcd/config/ (shared/reference/freebox-api-extras.md):
// reads in the shapes real boxes send, changes with the box's own refusals. Changes need the
// `settings` right; the call log needs `calls`.
import { fail } from "./envelope.js";
import { type Route, route } from "./routes.js";
import { objectBody, optBool, optString } from "./validate.js";

const READ = { minMajor: 1 };
const WRITE = { minMajor: 1, settings: true };
const CALLS = { minMajor: 1, right: "calls" };

/** An empty list is answered without `result`, as real boxes do. */
const listOrNone = <T>(list: readonly T[]): T[] | undefined =>
  list.length > 0 ? structuredClone([...list]) : undefined;

function optPercent(body: Record<string, unknown>, key: string): number | undefined {
  const value = body[key];
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > 100) fail("inval");
  return value;
}

const MAC_FILTER_STATES = ["disabled", "whitelist", "blacklist"];

export const homeRoutes: Route[] = [
  route("GET", "wifi/config/", READ, ({ core }) => ({ ...core.state.wifi })),

  route("PUT", "wifi/config/", WRITE, ({ core, body }) => {
    const input = objectBody(body);
    const enabled = optBool(input, "enabled");
    const filter = optString(input, "mac_filter_state");
    if (filter !== undefined && !MAC_FILTER_STATES.includes(filter)) fail("inval");
    if (enabled !== undefined) core.state.wifi.enabled = enabled;
    if (filter !== undefined) core.state.wifi.mac_filter_state = filter;
    return { ...core.state.wifi };
  }),

  route("GET", "call/log/", CALLS, ({ core }) => listOrNone(core.state.calls)),

  route("POST", "call/log/mark_all_as_read/", CALLS, ({ core }) => {
    for (const call of core.state.calls) call.new = false;
    return undefined;
  }),

  route("GET", "storage/disk/", READ, ({ core }) => listOrNone(core.state.storage.disks)),

  // Revolution and Pop boxes: internal_error, their way of saying "no RAID here".
  route("GET", "storage/raid/", READ, ({ core }) => {
    if (!core.state.storage.raidSupported) fail("internal_error");
    return listOrNone(core.state.storage.raids);
  }),

  route("GET", "lcd/config/", READ, ({ core }) => {
    if (!core.state.lcd) fail("no_panel");
    return { ...core.state.lcd };
  }),

  route("PUT", "lcd/config/", WRITE, ({ core, body }) => {
    const lcd = core.state.lcd;
    if (!lcd) fail("no_panel");
    const input = objectBody(body);
    const brightness = optPercent(input, "brightness");
    const stripBrightness = optPercent(input, "led_strip_brightness");
    const stripEnabled = optBool(input, "led_strip_enabled");
    const animation = optString(input, "led_strip_animation");
    const strip = stripBrightness !== undefined || stripEnabled !== undefined || animation !== undefined;
    if (strip && lcd.led_strip_enabled === undefined) fail("notsup");
    if (animation !== undefined && !(lcd.available_led_strip_animations ?? []).includes(animation))
      fail("inval");
    if (brightness !== undefined) lcd.brightness = brightness;
    if (stripBrightness !== undefined) lcd.led_strip_brightness = stripBrightness;
    if (stripEnabled !== undefined) lcd.led_strip_enabled = stripEnabled;
    if (animation !== undefined) lcd.led_strip_animation = animation;
    return { ...lcd };
  }),
];
