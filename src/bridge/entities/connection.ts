// Connection status, configuration and IPv6 (freebox-api-connection: ConnectionStatus,
// ConnectionConfiguration, ConnectionIpv6Configuration). Components, classes, units and categories
// are those of README "Home Assistant entities"; where the table gives no state
// class to a measurement, `measurement` is used so HA keeps long-term statistics.
import type { EntityDescriptor } from "../../mqtt/discovery.js";
import {
  binarySensor,
  boolTpl,
  type EntityContext,
  has,
  numberTpl,
  sensor,
  stateTopic,
  stringTpl,
  switchFor,
} from "./kit.js";

export function connectionEntities(ctx: EntityContext): EntityDescriptor[] {
  const status = stateTopic(ctx, "connection");
  const diagnostic = { entity_category: "diagnostic" } as const;
  // rate_*: bytes per second; bandwidth_*: bits per second (page "Connection status", essentials §8).
  const rate = { device_class: "data_rate", unit_of_measurement: "B/s", state_class: "measurement" } as const;
  const bandwidth = {
    device_class: "data_rate",
    unit_of_measurement: "bit/s",
    state_class: "measurement",
    entity_category: "diagnostic",
  } as const;
  // bytes_*: "total uploaded bytes since last connection", reset on reconnect → total_increasing.
  const bytes = {
    device_class: "data_size",
    unit_of_measurement: "B",
    state_class: "total_increasing",
  } as const;
  return [
    binarySensor(
      "connectivity",
      "Internet",
      status,
      // `state` goes through going_up/going_down; only `up` is connected.
      `{{ ('ON' if value_json.state == 'up' else 'OFF') if ${has(["state"], "string")} else None }}`,
      { device_class: "connectivity" },
    ),
    sensor("connection_state", "Connection state", status, stringTpl(["state"]), { icon: "mdi:wan" }),
    sensor("media", "Media", status, stringTpl(["media"]), diagnostic),
    sensor("connection_type", "Connection type", status, stringTpl(["type"]), diagnostic),
    sensor("ipv4", "IPv4 address", status, stringTpl(["ipv4"]), { ...diagnostic, icon: "mdi:ip-network" }),
    sensor("ipv6", "IPv6 address", status, stringTpl(["ipv6"]), { ...diagnostic, icon: "mdi:ip-network" }),
    sensor("rate_down", "Download rate", status, numberTpl(["rate_down"]), { ...rate, icon: "mdi:download" }),
    sensor("rate_up", "Upload rate", status, numberTpl(["rate_up"]), { ...rate, icon: "mdi:upload" }),
    sensor("bandwidth_down", "Download bandwidth", status, numberTpl(["bandwidth_down"]), bandwidth),
    sensor("bandwidth_up", "Upload bandwidth", status, numberTpl(["bandwidth_up"]), bandwidth),
    sensor("bytes_down", "Data downloaded", status, numberTpl(["bytes_down"]), bytes),
    sensor("bytes_up", "Data uploaded", status, numberTpl(["bytes_up"]), bytes),
    ...configEntities(ctx),
  ];
}

function configEntities(ctx: EntityContext): EntityDescriptor[] {
  const config = stateTopic(ctx, "connection_config");
  const set = `${config}/set`;
  const ipv6 = stateTopic(ctx, "ipv6");
  const diagnostic = { entity_category: "diagnostic" } as const;
  return [
    switchFor("ping", "Ping response", config, "ping", set),
    switchFor("wol", "Wake on LAN proxy", config, "wol", set),
    switchFor("adblock", "Ad blocking", config, "adblock", set),
    switchFor("remote_access", "Remote access", config, "remote_access", set),
    switchFor("allow_token_request", "New app requests", config, "allow_token_request", set),
    {
      key: "remote_access_port",
      component: "number",
      name: "Remote access port",
      entity_category: "config",
      state_topic: config,
      value_template: numberTpl(["remote_access_port"]),
      // HA number sends an integer when the step is whole ("8080"), raw on the field topic.
      command_topic: `${set}/remote_access_port`,
      min: 1,
      max: 65535,
      step: 1,
      mode: "box",
      icon: "mdi:numeric",
    },
    binarySensor("is_secure_pass", "Secure password", config, boolTpl(["is_secure_pass"]), diagnostic),
    binarySensor(
      "api_remote_access",
      "API remote access",
      config,
      boolTpl(["api_remote_access"]),
      diagnostic,
    ),
    sensor("remote_access_ip", "Remote access IP", config, stringTpl(["remote_access_ip"]), diagnostic),
    switchFor("ipv6_enabled", "IPv6", ipv6, "ipv6_enabled", `${ipv6}/set`),
  ];
}
