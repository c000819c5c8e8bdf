// Presence (issue 15): one device_tracker per LAN host that has one (presence.ts decides which),
// on the host's own device, and the `lan_event` event entity on the Freebox device.
// README: keys `host_<mac12>` (replacing `lease_<mac12>`) and `lan_event`.
import type { EntityDescriptor } from "../../mqtt/discovery.js";
import { hostTopic } from "../hosts.js";
import { macColon } from "./ids.js";
import type { EntityContext } from "./kit.js";

/** `<base>/lan/event`: not retained, one message per event (README). */
export const LAN_EVENT_TOPIC = "lan/event";

/** Event types of `<base>/lan/event` (presence.ts LanEventType). */
export const LAN_EVENT_TYPES = ["arrived", "left", "new_device"];

// The host topic's fields shown as the tracker's attributes (hosts.ts HostState, `home` aside: it
// is the state). `.get` on a mapping never raises, whatever the box left out.
const HOST_ATTRIBUTES = [
  "name",
  "names",
  "addresses",
  "vendor",
  "host_type",
  "interface",
  "connectivity",
  "access_point",
  "wifi_band",
  "last_seen",
];
const ATTRIBUTES = HOST_ATTRIBUTES.map((f) => `'${f}': value_json.get('${f}')`).join(", ");

export function presenceEntities(ctx: EntityContext): EntityDescriptor[] {
  return [...hostTrackers(ctx), lanEvent(ctx)];
}

/**
 * One device per MAC (via_device: the Freebox), holding its device_tracker: `home` while the box
 * says the host is active, `not_home` otherwise, unknown without host data. It reads the host's own
 * topic `<base>/lan/hosts/<mac12>` (hosts.ts), which carries no activity time: a device that stays
 * home publishes nothing, and other hosts' changes do not wake it. The device's `connections` (its
 * MAC) make Home Assistant keep the device a static lease's tracker had under `lease_<mac12>`.
 */
function hostTrackers(ctx: EntityContext): EntityDescriptor[] {
  const out: EntityDescriptor[] = [];
  for (const host of ctx.hosts) {
    const topic = hostTopic(ctx.baseTopic, host.mac);
    if (topic === undefined) continue;
    const mac = macColon(host.mac);
    out.push({
      key: `host_${host.mac}`,
      component: "device_tracker",
      name: null, // the device's main entity: its friendly name is the device name
      source_type: "router",
      state_topic: topic,
      // payload_home/payload_not_home defaults; "None" is payload_reset: location unknown.
      value_template:
        "{{ ('home' if value_json.home else 'not_home') if (value_json is mapping" +
        " and value_json.home is boolean) else None }}",
      json_attributes_topic: topic,
      json_attributes_template: `{{ {'mac': '${mac}', ${ATTRIBUTES}} | tojson if value_json is mapping else '{}' }}`,
      device: {
        identifiers: [`freebox_${ctx.boxId}_host_${host.mac}`],
        connections: [["mac", mac]],
        name: host.name,
        via_device: `freebox_${ctx.boxId}`,
      },
    });
  }
  return out;
}

/** HA `event` entity: each JSON message on `<base>/lan/event` carries `event_type` and the host. */
function lanEvent(ctx: EntityContext): EntityDescriptor {
  return {
    key: "lan_event",
    component: "event",
    name: "LAN device",
    icon: "mdi:lan-connect",
    state_topic: `${ctx.baseTopic}/${LAN_EVENT_TOPIC}`,
    event_types: LAN_EVENT_TYPES,
  };
}
