// DynDNS entities, one set per provider the box answers for (freebox-api-connection "Connection
// DynDNS status/configuration"; providers ovh, dyndns, noip). State: `<base>/connection/ddns/<p>`,
// the config merged with its status/ (bridge/state.ts); commands: `<base>/connection/ddns/<p>/set/<field>`.
import type { EntityDescriptor } from "../../mqtt/discovery.js";
import { idKey } from "./ids.js";
import { type EntityContext, sensor, stringTpl, switchFor, textFor } from "./kit.js";

const LABELS: Record<string, string> = { ovh: "OVH", dyndns: "DynDNS", noip: "No-IP" };

export function ddnsEntities(ctx: EntityContext): EntityDescriptor[] {
  const out: EntityDescriptor[] = [];
  for (const provider of ctx.ddnsProviders) {
    const p = idKey(provider);
    if (p === undefined || p !== provider) continue; // never a topic level from an unchecked string
    const label = `DDNS ${LABELS[p] ?? p}`;
    const topic = `${ctx.baseTopic}/connection/ddns/${p}`;
    const set = `${topic}/set`;
    out.push(
      // DDNSStatus `status` (ok, wait, authfail, …; kept as text: boxes add values).
      sensor(`ddns_${p}_status`, `${label} status`, topic, stringTpl(["status"]), {
        entity_category: "diagnostic",
        icon: "mdi:dns",
      }),
      switchFor(`ddns_${p}_enabled`, label, topic, "enabled", set),
      textFor(`ddns_${p}_hostname`, `${label} hostname`, topic, "hostname", set, { max: 255 }),
      textFor(`ddns_${p}_user`, `${label} user`, topic, "user", set, { max: 255 }),
      {
        // `password` is write-only: the box never returns it and the bridge never publishes it.
        // Without a state topic HA's text would run optimistic and keep the typed password as its
        // state (recorded in clear in HA's database); with a template that always renders "", the
        // entity's state stays empty and the secret only ever travels on the command topic.
        key: `ddns_${p}_password`,
        component: "text",
        name: `${label} password`,
        entity_category: "config",
        mode: "password",
        max: 255,
        state_topic: topic,
        value_template: "{{ '' }}",
        command_topic: `${set}/password`,
      },
    );
  }
  return out;
}
