// Line entities: xDSL (XdslInfos) on a DSL line, FTTH (FtthStatus) on a fibre line
// (freebox-api-connection "[UNSTABLE]" sections, freebox-os-essentials §8). Only the line's own media
// gets them: the other endpoint means nothing there, and README "State topics" says they are removed.
import type { EntityDescriptor } from "../../mqtt/discovery.js";
import {
  binarySensor,
  boolTpl,
  type EntityContext,
  numberTpl,
  preferTpl,
  sensor,
  stateTopic,
  stringTpl,
} from "./kit.js";

const DIRECTIONS = [
  ["down", "download"],
  ["up", "upload"],
] as const;

// XdslStats error counters; they restart from 0 when the line resynchronises → total_increasing.
const COUNTERS = [
  ["crc", "CRC errors"],
  ["fec", "FEC corrections"],
  ["hec", "HEC errors"],
  ["es", "errored seconds"],
  ["ses", "severely errored seconds"],
] as const;

const FEATURES = [
  ["phyr", "PhyR"],
  ["ginp", "G.INP"],
  ["nitro", "Nitro"],
] as const;

export function xdslEntities(ctx: EntityContext): EntityDescriptor[] {
  const topic = stateTopic(ctx, "xdsl");
  const diagnostic = { entity_category: "diagnostic" } as const;
  const out: EntityDescriptor[] = [
    sensor("xdsl_status", "DSL status", topic, stringTpl(["status", "status"]), diagnostic),
    sensor("xdsl_protocol", "DSL protocol", topic, stringTpl(["status", "protocol"]), diagnostic),
    sensor("xdsl_modulation", "DSL modulation", topic, stringTpl(["status", "modulation"]), diagnostic),
    sensor("xdsl_uptime", "DSL uptime", topic, numberTpl(["status", "uptime"]), {
      device_class: "duration",
      unit_of_measurement: "s",
    }),
  ];
  for (const [dir, label] of DIRECTIONS) {
    // maxrate/rate: "ATM rate in kbit/s".
    const kbit = {
      device_class: "data_rate",
      unit_of_measurement: "kbit/s",
      state_class: "measurement",
    } as const;
    // snr/attn in dB; snr_10/attn_10 in dB/10 (more precise, may be missing: essentials §8).
    const db = {
      device_class: "signal_strength",
      unit_of_measurement: "dB",
      state_class: "measurement",
      suggested_display_precision: 1,
    } as const;
    out.push(
      sensor(`xdsl_${dir}_rate`, `DSL ${label} rate`, topic, numberTpl([dir, "rate"]), kbit),
      sensor(`xdsl_${dir}_maxrate`, `DSL ${label} max rate`, topic, numberTpl([dir, "maxrate"]), kbit),
      sensor(`xdsl_${dir}_snr`, `DSL ${label} SNR`, topic, preferTpl([dir, "snr_10"], 10, [dir, "snr"]), db),
      sensor(
        `xdsl_${dir}_attn`,
        `DSL ${label} attenuation`,
        topic,
        preferTpl([dir, "attn_10"], 10, [dir, "attn"]),
        db,
      ),
    );
    for (const [field, what] of COUNTERS) {
      out.push(
        sensor(`xdsl_${dir}_${field}`, `DSL ${label} ${what}`, topic, numberTpl([dir, field]), {
          state_class: "total_increasing",
          entity_category: "diagnostic",
          enabled_by_default: false, // noisy and rarely wanted (HA: disable such entities by default)
        }),
      );
    }
    for (const [field, what] of FEATURES) {
      out.push(
        binarySensor(
          `xdsl_${dir}_${field}`,
          `DSL ${label} ${what}`,
          topic,
          boolTpl([dir, field]),
          diagnostic,
        ),
      );
    }
  }
  return out;
}

export function ftthEntities(ctx: EntityContext): EntityDescriptor[] {
  const topic = stateTopic(ctx, "ftth");
  const diagnostic = { entity_category: "diagnostic" } as const;
  const out: EntityDescriptor[] = [
    binarySensor("ftth_link", "Fibre link", topic, boolTpl(["link"]), diagnostic),
    binarySensor("sfp_present", "SFP present", topic, boolTpl(["sfp_present"]), diagnostic),
    binarySensor("sfp_alim_ok", "SFP power supply", topic, boolTpl(["sfp_alim_ok"]), diagnostic),
    binarySensor("sfp_has_signal", "SFP signal", topic, boolTpl(["sfp_has_signal"]), diagnostic),
  ];
  if (ctx.sfpPowerReport) {
    // sfp_pwr_*: "scaled by 100 (in dBm)", absent when sfp_has_power_report is false.
    const dbm = {
      device_class: "signal_strength",
      unit_of_measurement: "dBm",
      state_class: "measurement",
      suggested_display_precision: 2,
    } as const;
    out.push(
      sensor("sfp_pwr_rx", "SFP receive power", topic, numberTpl(["sfp_pwr_rx"], 100), dbm),
      sensor("sfp_pwr_tx", "SFP transmit power", topic, numberTpl(["sfp_pwr_tx"], 100), dbm),
    );
  }
  return out;
}
