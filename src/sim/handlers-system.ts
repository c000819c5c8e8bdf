// system/: device information, whose shape depends on the major asked (essentials §7), and reboot.
import { type Route, route } from "./routes.js";
import type { SimSensor, SimState } from "./state.js";

/** "5 jours 1 heure 49 minutes 36 secondes", as the box writes `uptime`. */
export function frenchUptime(totalSeconds: number): string {
  const total = Math.max(0, Math.floor(totalSeconds));
  const units: Array<[number, string]> = [
    [Math.floor(total / 86400), "jour"],
    [Math.floor((total % 86400) / 3600), "heure"],
    [Math.floor((total % 3600) / 60), "minute"],
  ];
  const parts: string[] = [];
  for (const [value, unit] of units) {
    if (value > 0 || parts.length > 0) parts.push(`${value} ${unit}${value > 1 ? "s" : ""}`);
  }
  const seconds = total % 60;
  parts.push(`${seconds} seconde${seconds > 1 ? "s" : ""}`);
  return parts.join(" ");
}

function common(state: SimState): Record<string, unknown> {
  const s = state.system;
  return {
    firmware_version: s.firmware_version,
    mac: s.mac,
    serial: s.serial,
    uptime: frenchUptime(s.uptime_val),
    uptime_val: s.uptime_val,
    board_name: s.board_name,
    disk_status: s.disk_status,
    box_authenticated: s.box_authenticated,
    user_main_storage: s.user_main_storage,
  };
}

const copy = (sensors: readonly SimSensor[]): SimSensor[] => sensors.map((sensor) => ({ ...sensor }));

/** v6 and later: sensors[] and fans[] with per-model ids, model_info, expansions on a Delta. */
function modernView(state: SimState): Record<string, unknown> {
  const s = state.system;
  return {
    ...common(state),
    sensors: copy(s.sensors),
    fans: copy(s.fans),
    ...(s.model_info.has_expansions === true
      ? {
          expansions: [
            { slot: 1, type: "ftth_pon", present: true, supported: true, probe_done: true, bundle: "" },
          ],
        }
      : {}),
    model_info: { ...s.model_info },
  };
}

/** The flat fields of a Revolution's sensor, or the Delta sensor closest to it. */
const FLAT_SOURCES: Record<string, readonly string[]> = {
  temp_cpum: ["temp_cpum", "temp_cpu_ap"],
  temp_cpub: ["temp_cpub", "temp_cpu_cp_master"],
  temp_sw: ["temp_sw", "temp_t1"],
};

/** v5 and earlier: flat temp_* / fan_rpm fields and box_flavor. */
function flatView(state: SimState): Record<string, unknown> {
  const s = state.system;
  const view: Record<string, unknown> = { ...common(state), box_flavor: s.box_flavor };
  for (const [field, ids] of Object.entries(FLAT_SOURCES)) {
    const sensor = s.sensors.find((candidate) => ids.includes(candidate.id) && candidate.value !== undefined);
    if (sensor) view[field] = sensor.value;
  }
  const fan = s.fans[0]?.value;
  if (fan !== undefined) view.fan_rpm = fan;
  return view;
}

export const systemRoutes: Route[] = [
  route("GET", "system/", { minMajor: 1 }, ({ core, major }) =>
    major >= 6 ? modernView(core.state) : flatView(core.state),
  ),

  route("POST", "system/reboot/", { minMajor: 1, settings: true }, ({ core, afterResponse }) => {
    core.logger.info("reboot requested");
    // The box answers first, then goes away (essentials §7).
    afterResponse(() => core.reboot());
    return undefined;
  }),
];
