// One second of a living box: the line finishes training, rates wander within the bandwidth, byte
// counters grow by the rate (rates are bytes/s, bandwidths bits/s: essentials §8), leases count
// down and renew, uptime grows, sensors drift a little.
import { LEASE_TIME } from "./lan.js";
import { applyLinkState, XDSL_TRAINING } from "./line.js";
import type { Rng } from "./rng.js";
import type { SimSensor, SimState } from "./state.js";

const clamp = (value: number, min: number, max: number): number => Math.min(max, Math.max(min, value));

export function tick(state: SimState, rng: Rng, now: number): void {
  advanceLink(state, now);
  const c = state.connection;
  if (c.state === "up") {
    // Mean-reverting toward a target: mostly a quiet line (under 2 % of the bandwidth), sometimes
    // a burst, never above the line's capacity.
    const wander = (previous: number, bandwidthBits: number): number => {
      const max = bandwidthBits / 8;
      const target = rng.bool(0.1) ? max * 0.6 * rng.next() : max * 0.02 * rng.next();
      return clamp(Math.round(previous + (target - previous) * 0.5), 0, Math.floor(max * 0.95));
    };
    c.rate_down = wander(c.rate_down, c.bandwidth_down);
    c.rate_up = wander(c.rate_up, c.bandwidth_up);
    c.bytes_down += c.rate_down;
    c.bytes_up += c.rate_up;
    if (state.xdsl.status.status === "showtime") {
      state.xdsl.status.uptime++;
      state.xdsl.down.fec += rng.int(0, 3);
      if (rng.bool(0.05)) state.xdsl.down.crc++;
    }
    const rx = state.ftth.sfp_pwr_rx;
    if (rx !== undefined) state.ftth.sfp_pwr_rx = clamp(rx + rng.int(-5, 5), -2800, -800);
  }
  state.system.uptime_val++;
  drift(state.system.sensors, rng, 1, 25, 95);
  drift(state.system.fans, rng, 15, 600, 3000);
  for (const lease of state.dynamicLeases) {
    lease.lease_remaining--;
    if (lease.lease_remaining <= 0) {
      // The client renewed: a fresh lease from now.
      lease.refresh_time = now;
      lease.lease_remaining = LEASE_TIME;
    }
  }
  for (const host of Object.values(state.hosts)) {
    if (host.active === true) {
      host.last_activity = now;
      host.last_time_reachable = now;
    }
  }
}

/** going_up walks the xDSL training steps (one per second) to showtime; going_down ends down. */
function advanceLink(state: SimState, now: number): void {
  const c = state.connection;
  if (c.state === "going_down") {
    applyLinkState(state, "down", now);
    return;
  }
  if (c.state !== "going_up") return;
  const status = state.xdsl.status;
  const step = (XDSL_TRAINING as readonly string[]).indexOf(status.status);
  if (c.media === "xdsl" && step >= 0 && step < XDSL_TRAINING.length - 1) {
    status.status = XDSL_TRAINING[step + 1] ?? "showtime";
    return;
  }
  applyLinkState(state, "up", now);
}

function drift(sensors: SimSensor[], rng: Rng, step: number, min: number, max: number): void {
  for (const sensor of sensors) {
    if (sensor.value !== undefined && rng.bool(0.3)) {
      sensor.value = clamp(sensor.value + rng.int(-step, step), min, max);
    }
  }
}
