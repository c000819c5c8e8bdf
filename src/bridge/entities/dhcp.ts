// DHCP server configuration and lease counts (static leases' trackers: entities/presence.ts)
// (freebox-api-dhcp: DhcpConfig, DhcpStaticLease, DhcpDynamicLease).
import type { EntityDescriptor } from "../../mqtt/discovery.js";
import {
  type EntityContext,
  IPV4_OR_EMPTY,
  isList,
  sensor,
  stateTopic,
  stringTpl,
  switchFor,
  textFor,
} from "./kit.js";

/** Leases listed in a count sensor's attributes; the rest is counted, not listed. */
export const LEASE_ATTRIBUTE_LIMIT = 50;

export function dhcpEntities(ctx: EntityContext): EntityDescriptor[] {
  const config = stateTopic(ctx, "dhcp_config");
  const set = `${config}/set`;
  const ip = { max: 15, pattern: IPV4_OR_EMPTY };
  return [
    switchFor("dhcp_enabled", "DHCP server", config, "enabled", set),
    switchFor("dhcp_sticky_assign", "DHCP sticky assignment", config, "sticky_assign", set),
    switchFor("dhcp_always_broadcast", "DHCP always broadcast", config, "always_broadcast", set),
    textFor("dhcp_ip_range_start", "DHCP range start", config, "ip_range_start", set, ip),
    textFor("dhcp_ip_range_end", "DHCP range end", config, "ip_range_end", set, ip),
    {
      key: "dhcp_dns",
      component: "text",
      name: "DHCP DNS servers",
      entity_category: "config",
      state_topic: config,
      // `dns` is padded with empty strings by the box (essentials §8): shown without them, as
      // "a, b". HA publishes the edited list raw on the command topic; the router splits it on commas.
      value_template: `{{ value_json.dns | select('string') | select | join(', ') if (value_json is mapping and ${isList("value_json.dns")}) else '' }}`,
      command_topic: `${set}/dns`,
      max: 255,
    },
    sensor("dhcp_gateway", "DHCP gateway", config, stringTpl(["gateway"]), { entity_category: "diagnostic" }),
    sensor("dhcp_netmask", "DHCP netmask", config, stringTpl(["netmask"]), { entity_category: "diagnostic" }),
    leaseCount("dhcp_dynamic_leases", "DHCP dynamic leases", stateTopic(ctx, "dynamic_leases")),
    leaseCount("dhcp_static_leases", "DHCP static leases", stateTopic(ctx, "static_leases")),
  ];
}

// The state payload is the JSON array of leases.
const IS_LIST = isList("value_json");

/**
 * Count of leases, the leases as attributes. HA wants attributes as a dict (MqttAttributesMixin
 * ignores anything else) and the recorder drops attributes over 16 kB, so the template builds
 * `{"leases": [{ip, hostname, name, mac}, …first 50], "truncated": bool}` instead of the whole
 * array (1,000 leases would be well over 16 kB).
 */
function leaseCount(key: string, name: string, topic: string): EntityDescriptor {
  const limit = LEASE_ATTRIBUTE_LIMIT;
  return {
    key,
    component: "sensor",
    name,
    icon: "mdi:lan",
    state_class: "measurement",
    state_topic: topic,
    value_template: `{{ value_json | length if ${IS_LIST} else None }}`,
    json_attributes_topic: topic,
    json_attributes_template:
      `{% set ns = namespace(leases=[]) %}{% set rows = (value_json | select('mapping') | list)` +
      ` if ${IS_LIST} else [] %}{% for l in rows[:${limit}] %}{% set ns.leases = ns.leases +` +
      ` [{'ip': l.get('ip'), 'hostname': l.get('hostname'), 'name': l.get('name'),` +
      ` 'mac': l.get('mac')}] %}{% endfor %}` +
      `{{ {'leases': ns.leases, 'truncated': rows | length > ${limit}} | tojson }}`,
  };
}
