// The configuration schema (convict): every setting with its doc, default, environment variable
// and format. The names are part of the public contract (docs: README "Configuration").
// Environment variables are strings: the named formats below convert them strictly (convict's own
// `Boolean` turns every word but "false" into true, its numbers take "10s" as 10), and keep what
// the user typed when it is not valid, so that the error quotes it.
import convict from "convict";
import { maskUrlCredentials } from "./url-credentials.js";

const required = (name: string) => (value: unknown) => {
  if (typeof value !== "string" || value.length === 0) throw new Error(`${name} must not be empty`);
};

const urlWithScheme =
  (schemes: string[], nullable = false) =>
  (value: unknown) => {
    if (value === null || value === "") {
      if (nullable) return;
      throw new Error("must be set");
    }
    // The value may hold a user name and password (mqtt://user:password@host): never quoted whole.
    const shown = maskUrlCredentials(String(value));
    let url: URL;
    try {
      url = new URL(String(value));
    } catch {
      throw new Error(`"${shown}" is not a URL`);
    }
    if (!schemes.includes(url.protocol.replace(/:$/, ""))) {
      throw new Error(`"${shown}" must use ${schemes.join(", ")}`);
    }
  };

export const BOOLEAN_WORDS: Readonly<Record<string, boolean>> = {
  true: true,
  on: true,
  yes: true,
  "1": true,
  false: false,
  off: false,
  no: false,
  "0": false,
};

/** A finite number when the whole text is one ("10", " 2.5 "), else the text itself. */
const strictNumber = (text: string): number | string => {
  const trimmed = text.trim();
  return /^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(trimmed) ? Number(trimmed) : text;
};

const inRange = (value: unknown, min: number, max: number, integer: boolean) =>
  typeof value === "number" &&
  Number.isFinite(value) &&
  value >= min &&
  value <= max &&
  (!integer || Number.isInteger(value));

/** A word from a fixed list, in any case (`LOG_LEVEL=DEBUG`). */
const choiceFormat = (values: readonly string[]) => ({
  coerce: (text: string) => (values.includes(text.trim().toLowerCase()) ? text.trim().toLowerCase() : text),
  validate: (value: unknown) => {
    if (typeof value !== "string" || !values.includes(value)) {
      throw new Error(`must be one of ${values.join(", ")}, got "${String(value)}"`);
    }
  },
});

export const LOG_LEVELS = ["error", "warn", "info", "debug"] as const;
export const TRACKER_CHOICES = ["all", "static", "none"] as const;
export const LOG_FORMATS = ["text", "json"] as const;

convict.addFormats({
  switch: {
    coerce: (text: string) => BOOLEAN_WORDS[text.trim().toLowerCase()] ?? text,
    validate: (value: unknown) => {
      if (typeof value !== "boolean") {
        throw new Error(`must be true/false, on/off, yes/no or 1/0 (any case), got "${String(value)}"`);
      }
    },
  },
  seconds: {
    coerce: strictNumber,
    validate: (value: unknown) => {
      if (!inRange(value, 1, 86_400, false)) {
        throw new Error(`must be a number of seconds from 1 to 86400, got "${String(value)}"`);
      }
    },
  },
  "tcp-port": {
    coerce: strictNumber,
    validate: (value: unknown) => {
      if (!inRange(value, 0, 65_535, true))
        throw new Error(`must be a port from 0 to 65535, got "${String(value)}"`);
    },
  },
  "api-major": {
    coerce: strictNumber,
    validate: (value: unknown) => {
      if (value !== null && !inRange(value, 1, 99, true)) {
        throw new Error(`must be an API major from 1 to 99, got "${String(value)}"`);
      }
    },
  },
  days: {
    coerce: strictNumber,
    validate: (value: unknown) => {
      if (!inRange(value, 1, 3650, true)) {
        throw new Error(`must be a whole number of days from 1 to 3650, got "${String(value)}"`);
      }
    },
  },
  trackers: choiceFormat(TRACKER_CHOICES),
  "log-level": choiceFormat(LOG_LEVELS),
  "log-format": choiceFormat(LOG_FORMATS),
});

// MQTT topic segments: no wildcards, no empty level, no leading "$" (reserved for the broker).
const topicBase = (value: unknown) => {
  const s = String(value);
  if (!/^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/.test(s)) {
    throw new Error(`"${s}" must be topic levels of letters, digits, "_" or "-" separated by "/"`);
  }
};

const nullableString = (value: unknown) => {
  if (value !== null && typeof value !== "string") throw new Error("must be a string");
};

// "aa:bb:cc:dd:ee:ff, AABBCCDDEEFF": MACs in any case, separated by commas or spaces.
const macList = (value: unknown) => {
  const bad = String(value)
    .split(/[\s,;]+/)
    .filter((mac) => mac !== "" && !/^[0-9a-f]{2}([:-]?[0-9a-f]{2}){5}$/i.test(mac));
  if (bad.length > 0) throw new Error(`"${bad.join('", "')}" is not a MAC address`);
};

export const schema = {
  freebox: {
    url: {
      doc: "Freebox address; http:// is allowed on the LAN",
      format: urlWithScheme(["http", "https"]),
      default: "https://mafreebox.freebox.fr",
      env: "FREEBOX_URL",
    },
    appId: {
      doc: "App id used for pairing and sessions",
      format: required("FREEBOX_APP_ID"),
      default: "fr.freebox2mqtt",
      env: "FREEBOX_APP_ID",
    },
    appToken: {
      doc: "App token; when absent, read from DATA_DIR, else pair",
      format: nullableString,
      default: null as string | null,
      env: "FREEBOX_APP_TOKEN",
      sensitive: true,
    },
    apiVersion: {
      doc: "Highest API major to use (auto when unset)",
      format: "api-major",
      default: null as number | null,
      env: "FREEBOX_API_VERSION",
    },
    timeout: {
      doc: "Timeout of one HTTP call to the box, in seconds",
      format: "seconds",
      default: 10,
      env: "FREEBOX_TIMEOUT",
    },
  },
  dataDir: {
    doc: "Persistent state: the app token file (mode 0600)",
    format: required("DATA_DIR"),
    default: "./data",
    env: "DATA_DIR",
  },
  mqtt: {
    url: {
      doc: "External broker; none = embedded broker",
      format: urlWithScheme(["mqtt", "mqtts", "ws", "wss"], true),
      default: null as string | null,
      env: "MQTT_URL",
    },
    username: {
      doc: "Broker user name",
      format: nullableString,
      default: null as string | null,
      env: "MQTT_USERNAME",
    },
    password: {
      doc: "Broker password",
      format: nullableString,
      default: null as string | null,
      env: "MQTT_PASSWORD",
      sensitive: true,
    },
    ca: {
      doc: "CA file for mqtts/wss",
      format: nullableString,
      default: null as string | null,
      env: "MQTT_CA",
    },
    cert: {
      doc: "Client certificate file",
      format: nullableString,
      default: null as string | null,
      env: "MQTT_CERT",
    },
    key: { doc: "Client key file", format: nullableString, default: null as string | null, env: "MQTT_KEY" },
    rejectUnauthorized: {
      doc: "Verify the broker certificate",
      format: "switch",
      default: true,
      env: "MQTT_REJECT_UNAUTHORIZED",
    },
    clientId: {
      doc: "MQTT client id (default freebox2mqtt_<random>)",
      format: nullableString,
      default: null as string | null,
      env: "MQTT_CLIENT_ID",
    },
    embeddedHost: {
      doc: "Embedded broker listen address",
      format: required("MQTT_EMBEDDED_HOST"),
      default: "127.0.0.1",
      env: "MQTT_EMBEDDED_HOST",
    },
    embeddedPort: {
      doc: "Embedded broker port",
      format: "tcp-port",
      default: 1883,
      env: "MQTT_EMBEDDED_PORT",
    },
    baseTopic: { doc: "Base topic", format: topicBase, default: "freebox2mqtt", env: "MQTT_BASE_TOPIC" },
  },
  ha: {
    discovery: {
      doc: "Publish Home Assistant discovery",
      format: "switch",
      default: true,
      env: "HA_DISCOVERY",
    },
    discoveryPrefix: {
      doc: "Home Assistant discovery prefix",
      format: topicBase,
      default: "homeassistant",
      env: "HA_DISCOVERY_PREFIX",
    },
    statusTopic: {
      doc: "Home Assistant birth topic",
      format: required("HA_STATUS_TOPIC"),
      default: "homeassistant/status",
      env: "HA_STATUS_TOPIC",
    },
  },
  poll: {
    statusInterval: {
      doc: "Connection status, xDSL/FTTH (s)",
      format: "seconds",
      default: 10,
      env: "POLL_STATUS_INTERVAL",
    },
    configInterval: {
      doc: "Configuration and system (s)",
      format: "seconds",
      default: 60,
      env: "POLL_CONFIG_INTERVAL",
    },
    leasesInterval: {
      doc: "Static and dynamic leases (s)",
      format: "seconds",
      default: 30,
      env: "POLL_LEASES_INTERVAL",
    },
  },
  presence: {
    trackers: {
      doc: "Which LAN hosts get a device tracker: all, static (static leases only) or none",
      format: "trackers",
      default: "all",
      env: "PRESENCE_TRACKERS",
    },
    exclude: {
      doc: "MAC addresses that get no tracker and no LAN event (comma-separated)",
      format: macList,
      default: "",
      env: "PRESENCE_EXCLUDE",
    },
    removeAfterDays: {
      doc: "A host unseen this many days loses its tracker",
      format: "days",
      default: 30,
      env: "PRESENCE_REMOVE_AFTER_DAYS",
    },
  },
  log: {
    level: {
      doc: "Log level",
      format: "log-level",
      default: "info",
      env: "LOG_LEVEL",
    },
    format: { doc: "Log format", format: "log-format", default: "text", env: "LOG_FORMAT" },
  },
};

export interface Config {
  freebox: {
    url: string;
    appId: string;
    appToken: string | null;
    apiVersion: number | null;
    timeout: number;
  };
  dataDir: string;
  mqtt: {
    url: string | null;
    username: string | null;
    password: string | null;
    ca: string | null;
    cert: string | null;
    key: string | null;
    rejectUnauthorized: boolean;
    clientId: string;
    /** Derived: a persistent session (clean: false) when the user gave a stable MQTT_CLIENT_ID. */
    cleanSession: boolean;
    embeddedHost: string;
    embeddedPort: number;
    baseTopic: string;
  };
  ha: { discovery: boolean; discoveryPrefix: string; statusTopic: string };
  poll: { statusInterval: number; configInterval: number; leasesInterval: number };
  presence: { trackers: "all" | "static" | "none"; exclude: string; removeAfterDays: number };
  log: { level: "error" | "warn" | "info" | "debug"; format: "text" | "json" };
}
