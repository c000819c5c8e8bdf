// DynDNS, one resource per provider: `GET/PUT connection/ddns/<provider>/` and its `status/`
// (freebox-api-connection). SPECIAL: the contract publishes one topic per provider, its
// configuration merged with its status (so the kept value holds both), and one pair of command
// topics with the provider as a level serves the three (commands/routes.ts), as one entity builder
// does (entities/ddns.ts, named in entities.ts).
import { isDeepStrictEqual } from "node:util";
import type { DdnsConfig, DdnsProvider, DdnsStatus } from "../../freebox/types.js";
import { ddnsState } from "../state.js";
import type { ResourceDef } from "./def.js";

export interface DdnsState {
  config: DdnsConfig;
  /** Always read by the bridge; absent only in partial pictures (fixtures): its fields are then null. */
  status?: DdnsStatus;
}

function ddns<P extends DdnsProvider>(provider: P): ResourceDef<`ddns_${P}`, DdnsState> {
  return {
    id: `ddns_${provider}`,
    group: "config",
    topic: `connection/ddns/${provider}`,
    // Which providers the box answers for decides the DynDNS entities.
    shapesEntities: true,
    // A disabled provider does not refresh, so its status cannot move while its configuration does
    // not; so the status is read again only when the provider is enabled or its (small)
    // configuration changed: one request per poll for the providers a home does not use, which
    // are most of them.
    read: async (api, previous) => {
      const config = await api.getDdnsConfig(provider);
      if (!config.enabled && previous?.status !== undefined && isDeepStrictEqual(previous.config, config)) {
        return previous;
      }
      return { config, status: await api.getDdnsStatus(provider) };
    },
    state: (raw, ctx) => ddnsState(raw, ctx),
    stateInput: (value) => ({ raw: value.config, ctx: { ddnsStatus: value.status } }),
  };
}

export const ddnsOvh = ddns("ovh");
export const ddnsDyndns = ddns("dyndns");
export const ddnsNoip = ddns("noip");
