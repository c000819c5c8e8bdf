// Global Wi-Fi state (`GET/PUT wifi/config/`, shared/reference/freebox-api-extras.md "Wi-Fi").
import type { EntityDescriptor } from "../../mqtt/discovery.js";
import { type EntityContext, sensor, stateTopic, stringTpl, switchFor } from "./kit.js";

/** Built while the box answers wifi/config/ (resources/wifi.ts). */
export function wifiEntities(ctx: EntityContext): EntityDescriptor[] {
  const topic = stateTopic(ctx, "wifi");
  return [
    {
      // HA's MQTT entities have no description: the name itself warns that turning Wi-Fi off cuts
      // every Wi-Fi client, the phone that sent the command included (freebox-api-extras.md).
      ...switchFor("wifi", "Wi-Fi (off disconnects Wi-Fi devices)", topic, "enabled", `${topic}/set`),
      icon: "mdi:wifi",
    },
    // `disabled`, `whitelist` or `blacklist`; kept as text, not an enum: a value HA's enum options
    // did not list would make the sensor raise.
    sensor("wifi_mac_filter", "Wi-Fi MAC filter", topic, stringTpl(["mac_filter_state"]), {
      entity_category: "diagnostic",
      icon: "mdi:filter",
    }),
  ];
}
