// Display and LED strip (`GET/PUT lcd/config/`; shared/reference/freebox-api-extras.md "Display
// and LED strip"). The strip exists only where the box sends `led_strip_enabled` (Freebox Ultra;
// Home Assistant's rule); its animations become the light's effects.
import type { EntityDescriptor } from "../../mqtt/discovery.js";
import { boolTpl, type EntityContext, has, numberTpl, stateTopic } from "./kit.js";

export interface LcdRef {
  ledStrip: boolean;
  effects: readonly string[];
}

/** What the display answer says exists. */
export function lcdRef(lcd: Record<string, unknown>): LcdRef {
  const list = lcd.available_led_strip_animations;
  const effects = Array.isArray(list)
    ? [...new Set(list.filter((e): e is string => typeof e === "string" && e.trim() !== ""))]
    : [];
  return { ledStrip: typeof lcd.led_strip_enabled === "boolean", effects };
}

// HA's basic light schema turns an empty brightness or effect into "ignored", but tries float()
// on anything else: a missing value renders "" rather than the "None" other entities use.
const orEmpty = (field: string, test: "number" | "string"): string =>
  `{{ value_json.${field} if ${has([field], test)} else '' }}`;

/** Built while the box answers lcd/config/ (resources/lcd.ts), from what its answer says exists. */
export function lcdEntities(ctx: EntityContext, lcd: LcdRef): EntityDescriptor[] {
  const topic = stateTopic(ctx, "lcd");
  const set = `${topic}/set`;
  const out: EntityDescriptor[] = [
    {
      key: "lcd_brightness",
      component: "number",
      name: "Display brightness",
      icon: "mdi:brightness-6",
      entity_category: "config",
      state_topic: topic,
      value_template: numberTpl(["brightness"]),
      command_topic: `${set}/brightness`,
      min: 0,
      max: 100,
      step: 1,
      mode: "slider",
      unit_of_measurement: "%",
    },
  ];
  if (lcd.ledStrip) {
    out.push({
      key: "led_strip",
      component: "light",
      name: "LED strip",
      state_topic: topic,
      state_value_template: boolTpl(["led_strip_enabled"]),
      command_topic: `${set}/led_strip_enabled`,
      // The box's 0–100 is the light's scale: HA maps its 0–255 onto it.
      brightness_state_topic: topic,
      brightness_value_template: orEmpty("led_strip_brightness", "number"),
      brightness_command_topic: `${set}/led_strip_brightness`,
      brightness_scale: 100,
      ...(lcd.effects.length > 0
        ? {
            effect_state_topic: topic,
            effect_value_template: orEmpty("led_strip_animation", "string"),
            effect_command_topic: `${set}/led_strip_animation`,
            effect_list: [...lcd.effects],
          }
        : {}),
    });
  }
  return out;
}
