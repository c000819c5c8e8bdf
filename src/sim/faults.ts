// Fault knobs: what a client meets on a real LAN (a box that reboots, a proxy that answers 502, a
// reset connection, a "busy" device) made reproducible. Counted faults are consumed one per request,
// in a fixed order, at the moment the request arrives.
import type { SimFaults } from "./types.js";

export type CountedFault = "drop" | "status5xx" | "malformed" | "busy" | "ratelimited";

/**
 * A healthy box: every knob off. `Object.assign(sim.faults, NO_FAULTS)` heals a box (all but
 * `unreachable`, which tests switch on and off themselves).
 */
export const NO_FAULTS: Readonly<Omit<SimFaults, "unreachable">> = Object.freeze({
  latencyMs: 0,
  status5xx: 0,
  malformed: 0,
  drop: 0,
  busy: 0,
  netdown: false,
  expireEveryCall: false,
  ratelimitLogin: 0,
  hang: false,
  bridgeMode: false,
  refuseEventStream: false,
  refuseRight: null,
  match: null,
});

/** The knobs, with `unreachable` as an accessor: setting it true also cuts the open sockets. */
export function createFaults(onUnreachable: () => void): SimFaults {
  let unreachable = false;
  return {
    ...NO_FAULTS,
    get unreachable(): boolean {
      return unreachable;
    },
    set unreachable(value: boolean) {
      unreachable = value;
      if (value) onUnreachable();
    },
  };
}

export interface FaultTarget {
  /** Under /api/vN/ (counted faults skip /api_version unless `match` selects it). */
  apiCall: boolean;
  /** Path after /api/vN/, or the full path. */
  path: string;
  fullPath: string;
  /** POST login/session/: the only target of ratelimitLogin. */
  isLogin: boolean;
}

function applies(faults: SimFaults, target: FaultTarget): boolean {
  const match = faults.match;
  if (!match) return target.apiCall;
  // A /g or /y regex keeps state between test() calls; start from 0 every time.
  match.lastIndex = 0;
  if (match.test(target.path)) return true;
  match.lastIndex = 0;
  return match.test(target.fullPath);
}

/** Consumes at most one counted fault for this request and says which. */
export function takeCountedFault(faults: SimFaults, target: FaultTarget): CountedFault | null {
  if (!applies(faults, target)) return null;
  if (faults.drop > 0) {
    faults.drop--;
    return "drop";
  }
  if (faults.status5xx > 0) {
    faults.status5xx--;
    return "status5xx";
  }
  if (faults.malformed > 0) {
    faults.malformed--;
    return "malformed";
  }
  if (faults.busy > 0) {
    faults.busy--;
    return "busy";
  }
  if (target.isLogin && faults.ratelimitLogin > 0) {
    faults.ratelimitLogin--;
    return "ratelimited";
  }
  return null;
}

/** What the box's front web server answers when its API process is gone. */
export const BAD_GATEWAY_HTML =
  "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n" +
  "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";

/** A JSON answer cut short, as when the connection breaks mid-body. */
export const TRUNCATED_JSON = '{"success":true,"result":{"state":"up","type":"eth';
