// Box models the simulator impersonates: a Freebox Delta on fibre, a Freebox Revolution on xDSL.
// Identity and sensors follow essentials §2 and §7 (sensor ids differ per model: Revolution
// `temp_cpum`…, Delta `temp_cpu_ap`, `temp_t1`…; a sensor may have no value).
import type { FtthStatus, XdslInfo, XdslStats } from "../freebox/types.js";
import type { Rng } from "./rng.js";
import type { SimBoxInfo, SimConnection, SimSystem } from "./state.js";
import type { SimMedia } from "./types.js";

export function boxIdentity(
  media: SimMedia,
  apiVersion: string,
  rng: Rng,
): { box: SimBoxInfo; system: SimSystem } {
  const fibre = media === "ftth";
  // 34:27:92 is a Freebox SAS OUI.
  const mac = `34:27:92:${rng.hex(2)}:${rng.hex(2)}:${rng.hex(2)}`.toUpperCase();
  const boxModel = fibre ? "fbxgw7-r1/full" : "fbxgw-r2/full";
  const prettyName = fibre ? "Freebox v7 (r1)" : "Freebox v6 (r2)";
  const box: SimBoxInfo = {
    uid: rng.hex(32),
    device_name: "Freebox Server",
    box_model: boxModel,
    box_model_name: prettyName,
    api_version: apiVersion,
    api_domain: `${rng.hex(8)}.fbxos.fr`,
    https_available: false,
    https_port: 0,
  };
  const system: SimSystem = {
    firmware_version: fibre ? "4.9.2" : "4.8.7",
    mac,
    serial: `${fibre ? "8909" : "8520"}${rng.int(10, 99)}R${rng.int(1e9, 9e9)}`,
    uptime_val: rng.int(3600, 40 * 86400),
    board_name: fibre ? "fbxgw7r" : "fbxgw2r",
    disk_status: "active",
    box_flavor: "full",
    box_authenticated: true,
    user_main_storage: "Disque dur",
    sensors: fibre
      ? [
          { id: "temp_hdd0", name: "Disque dur 1", value: rng.int(32, 40) },
          // Empty second bay: listed without a value, as real Deltas do (§7).
          { id: "temp_hdd1", name: "Disque dur 2" },
          { id: "temp_t1", name: "Température 1", value: rng.int(38, 45) },
          { id: "temp_t2", name: "Température 2", value: rng.int(40, 48) },
          { id: "temp_t3", name: "Température 3", value: rng.int(42, 50) },
          { id: "temp_cpu_cp_master", name: "Température CPU CP Master", value: rng.int(65, 75) },
          { id: "temp_cpu_ap", name: "Température CPU AP", value: rng.int(55, 65) },
          { id: "temp_cpu_cp_slave", name: "Température CPU CP Slave", value: rng.int(62, 72) },
        ]
      : [
          { id: "temp_cpum", name: "Température CPU M", value: rng.int(55, 68) },
          { id: "temp_cpub", name: "Température CPU B", value: rng.int(50, 60) },
          { id: "temp_sw", name: "Température Switch", value: rng.int(45, 55) },
          { id: "temp_hdd", name: "Disque dur" },
        ],
    fans: [{ id: "fan0_speed", name: "Ventilateur 1", value: rng.int(1200, 1900) }],
    model_info: fibre
      ? {
          name: boxModel,
          pretty_name: prettyName,
          wifi_type: "2d4_5g_5g",
          has_expansions: true,
          has_lan_sfp: true,
          has_dect: true,
          has_home_automation: true,
          has_femtocell_exp: true,
          has_fixed_femtocell: false,
          has_vm: true,
          has_dsl: false,
          has_standby: true,
          internal_hdd_size: 0,
          customer_hdd_slots: 2,
          net_operator: "Free",
          supported_languages: ["fra", "eng", "ita"],
          default_language: "fra",
          wifi_country: "fr",
        }
      : {
          name: boxModel,
          pretty_name: prettyName,
          wifi_type: "2d4_5g",
          has_expansions: false,
          has_lan_sfp: false,
          has_dect: true,
          has_home_automation: false,
          has_femtocell_exp: false,
          has_fixed_femtocell: false,
          has_vm: false,
          has_dsl: true,
          has_standby: false,
          internal_hdd_size: 250,
          customer_hdd_slots: 0,
          net_operator: "Free",
          supported_languages: ["fra", "eng"],
          default_language: "fra",
          wifi_country: "fr",
        },
  };
  return { box, system };
}

type LineConnection = Pick<SimConnection, "type" | "media" | "bandwidth_up" | "bandwidth_down">;

export function lineData(
  media: SimMedia,
  rng: Rng,
): { connection: LineConnection; ftth: FtthStatus; xdsl: XdslInfo } {
  const xdsl = xdslInfo(rng);
  const ftth: FtthStatus = {
    sfp_present: true,
    sfp_alim_ok: true,
    sfp_has_power_report: true,
    sfp_has_signal: true,
    link: true,
    has_sfp: true,
    sfp_serial: `NP${rng.int(1e9, 9e9)}`,
    sfp_model: "FN-TRX-GPON-8",
    sfp_vendor: "FREEBOX",
    // dBm × 100 (§8): a healthy line receives around -18 dBm.
    sfp_pwr_tx: rng.int(150, 350),
    sfp_pwr_rx: rng.int(-2200, -1500),
  };
  return { connection: lineConnection(media, xdsl), ftth, xdsl };
}

/** Connection fields that depend on the line: a fibre line is 8 Gbit/s down, beyond 32 bits (§8). */
export function lineConnection(media: SimMedia, xdsl: XdslInfo): LineConnection {
  if (media === "ftth") {
    return { type: "ethernet", media, bandwidth_down: 8_000_000_000, bandwidth_up: 700_000_000 };
  }
  // xDSL rates are in kbit/s, connection bandwidths in bit/s.
  return { type: "rfc2684", media, bandwidth_down: xdsl.down.rate * 1000, bandwidth_up: xdsl.up.rate * 1000 };
}

function xdslInfo(rng: Rng): XdslInfo {
  const down = rng.int(14000, 22000);
  const up = rng.int(900, 1100);
  const stats = (rate: number, snr10: number, attn10: number): XdslStats => ({
    maxrate: rate + rng.int(500, 3000),
    rate,
    snr: Math.floor(snr10 / 10),
    snr_10: snr10,
    attn: Math.floor(attn10 / 10),
    attn_10: attn10,
    fec: rng.int(0, 50000),
    crc: rng.int(0, 200),
    hec: 0,
    es: rng.int(0, 100),
    ses: rng.int(0, 20),
    phyr: false,
    ginp: false,
    nitro: true,
  });
  // Downstream uses PhyR and upstream G.INP, so both optional groups appear (freebox-api-connection:
  // rxmt* only when phyr is on, rtx_* only when ginp is on).
  const downStats: XdslStats = { ...stats(down, rng.int(60, 90), rng.int(200, 350)), phyr: true };
  downStats.rxmt = rng.int(0, 500);
  downStats.rxmt_corr = rng.int(0, 400);
  downStats.rxmt_uncorr = rng.int(0, 20);
  const upStats: XdslStats = { ...stats(up, rng.int(80, 120), rng.int(100, 200)), ginp: true };
  upStats.rtx_tx = rng.int(0, 300);
  upStats.rtx_c = rng.int(0, 200);
  upStats.rtx_uc = rng.int(0, 10);
  return {
    status: {
      status: "showtime",
      protocol: "adsl2plus_a",
      modulation: "adsl",
      uptime: rng.int(600, 86400 * 7),
    },
    down: downStats,
    up: upStats,
  };
}

/** What connection/xdsl/ answers on a fibre box: meaningless but not an error (§8). */
export function idleXdsl(): XdslInfo {
  const stats = (): XdslStats => ({
    maxrate: 0,
    rate: 0,
    snr: 0,
    attn: 0,
    fec: 0,
    crc: 0,
    hec: 0,
    es: 0,
    ses: 0,
    phyr: false,
    ginp: false,
    nitro: false,
  });
  return {
    status: { status: "down", protocol: "unknown", modulation: "adsl", uptime: 0 },
    down: stats(),
    up: stats(),
  };
}

/** What connection/ftth/ answers on an xDSL box: no SFP, no power report (§8). */
export function idleFtth(): FtthStatus {
  return {
    sfp_present: false,
    sfp_alim_ok: false,
    sfp_has_power_report: false,
    sfp_has_signal: false,
    link: false,
    has_sfp: false,
  };
}
