// The box itself: uptime, one sensor per temperature sensor and fan it reports, reboot, and the
// bridge's refresh button (freebox-os-essentials §7 `GET system/`, `POST system/reboot/`).
import type { EntityDescriptor } from "../../mqtt/discovery.js";
import { idKey } from "./ids.js";
import {
  type BoxSensorRef,
  type EntityContext,
  type ExtraOptions,
  isList,
  numberTpl,
  sensor,
  stateTopic,
} from "./kit.js";

// Sensor ids differ per model (`temp_cpum`, `cpu_ap`, `t1`, …); only plain ids go into a template
// string literal, so nothing from the box can break out of the quotes.
const SAFE_ID = /^[A-Za-z0-9_.-]+$/;

export function systemEntities(ctx: EntityContext): EntityDescriptor[] {
  const topic = stateTopic(ctx, "system");
  return [
    sensor("uptime", "Uptime", topic, numberTpl(["uptime_val"]), {
      device_class: "duration",
      unit_of_measurement: "s",
      entity_category: "diagnostic",
    }),
    ...perSensor(ctx.sensors, "temperature", "sensors", topic, "Temperature", {
      device_class: "temperature",
      unit_of_measurement: "°C",
      state_class: "measurement",
      entity_category: "diagnostic",
    }),
    // HA has no fan speed device class: unit rpm, measurement (ha-mqtt-discovery.md "Sensors").
    ...perSensor(ctx.fans, "fan", "fans", topic, "Fan", {
      unit_of_measurement: "rpm",
      state_class: "measurement",
      entity_category: "diagnostic",
      icon: "mdi:fan",
    }),
    {
      key: "reboot",
      component: "button",
      name: "Restart",
      device_class: "restart",
      entity_category: "config",
      command_topic: `${ctx.baseTopic}/system/reboot`,
      payload_press: "PRESS",
    },
    {
      key: "refresh",
      component: "button",
      name: "Refresh",
      entity_category: "diagnostic",
      icon: "mdi:refresh",
      command_topic: `${ctx.baseTopic}/bridge/request/refresh`,
      payload_press: "PRESS",
    },
  ];
}

function perSensor(
  list: readonly BoxSensorRef[],
  prefix: string,
  field: "sensors" | "fans",
  topic: string,
  fallbackName: string,
  options: ExtraOptions,
): EntityDescriptor[] {
  const out: EntityDescriptor[] = [];
  const seen = new Set<string>();
  for (const item of list) {
    const id = idKey(item.id);
    if (id === undefined || !SAFE_ID.test(item.id) || seen.has(id)) continue;
    seen.add(id);
    const name = item.name?.trim() || `${fallbackName} ${item.id}`;
    out.push(sensor(`${prefix}_${id}`, name, topic, valueById(field, item.id), options));
  }
  return out;
}

/** `value` of the entry of `sensors`/`fans` with this id; None when absent (a sensor may have no value). */
function valueById(field: "sensors" | "fans", id: string): string {
  const list = `value_json.${field}`;
  return (
    `{% set s = (${list} | selectattr('id', 'eq', '${id}') | list) if (value_json is mapping` +
    ` and ${isList(list)}) else [] %}` +
    `{{ s[0].value if (s and s[0].value is number) else None }}`
  );
}
