// Call log (`GET call/log/`, right `calls`; shared/reference/freebox-api-extras.md "Calls"): new
// missed calls counted as Home Assistant's Freebox integration does, the latest missed calls as
// attributes, and a button that marks every call read.
import type { EntityDescriptor } from "../../mqtt/discovery.js";
import { type EntityContext, isList, numberTpl, stateTopic } from "./kit.js";

const MISSED = "value_json.missed";

/** Built while the box answers call/log/: the `calls` right is granted (resources/calls.ts). */
export function callsEntities(ctx: EntityContext): EntityDescriptor[] {
  const topic = stateTopic(ctx, "calls");
  return [
    {
      key: "missed_calls",
      component: "sensor",
      name: "Missed calls",
      icon: "mdi:phone-missed",
      state_class: "measurement",
      state_topic: topic,
      value_template: numberTpl(["missed_new"]),
      json_attributes_topic: topic,
      // HA wants attributes as a dict: {"missed": [{name, number, time, new}, …]}, at most the
      // CALLS_LISTED newest (bridge/state-home.ts). `name` is the caller's name, else the number.
      json_attributes_template:
        `{% set ns = namespace(calls=[]) %}{% set rows = (${MISSED} | select('mapping') | list)` +
        ` if (value_json is mapping and ${isList(MISSED)}) else [] %}{% for c in rows %}` +
        `{% set ns.calls = ns.calls + [{'name': c.get('name') or c.get('number'), 'number':` +
        ` c.get('number'), 'time': c.get('time'), 'new': c.get('new')}] %}{% endfor %}` +
        `{{ {'missed': ns.calls} | tojson }}`,
    },
    {
      key: "mark_calls_read",
      component: "button",
      name: "Mark calls read",
      icon: "mdi:phone-check",
      command_topic: `${ctx.baseTopic}/calls/mark_read`,
      payload_press: "PRESS",
    },
  ];
}
