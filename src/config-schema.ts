// The configuration schema (convict): every setting with its doc, default, environment variable
// and format. The names are part of the public contract (docs: README "Configuration").
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
    let url: URL;
    try {
      url = new URL(String(value));
    } catch {
      throw new Error(`"${String(value)}" is not a URL`);
    }
    if (!schemes.includes(url.protocol.replace(/:$/, ""))) {
      throw new Error(`"${String(value)}" must use ${schemes.join(", ")}`);
    }
  };

const interval = (value: unknown) => {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 1 || value > 86_400) {
    throw new Error(`must be a number of seconds from 1 to 86400, got "${String(value)}"`);
  }
};

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

const days = (value: unknown) => {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > 3650) {
    throw new Error(`must be a whole number of days from 1 to 3650, got "${String(value)}"`);
  }
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
      format: (value: unknown) => {
        if (value === null) return;
        if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > 99) {
          throw new Error(`must be an API major from 1 to 99, got "${String(value)}"`);
        }
      },
      default: null as number | null,
      env: "FREEBOX_API_VERSION",
    },
    timeout: {
      doc: "Timeout of one HTTP call to the box, in seconds",
      format: interval,
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
      format: Boolean,
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
    embeddedPort: { doc: "Embedded broker port", format: "port", default: 1883, env: "MQTT_EMBEDDED_PORT" },
    baseTopic: { doc: "Base topic", format: topicBase, default: "freebox2mqtt", env: "MQTT_BASE_TOPIC" },
  },
  ha: {
    discovery: {
      doc: "Publish Home Assistant discovery",
      format: Boolean,
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
      format: interval,
      default: 10,
      env: "POLL_STATUS_INTERVAL",
    },
    configInterval: {
      doc: "Configuration and system (s)",
      format: interval,
      default: 60,
      env: "POLL_CONFIG_INTERVAL",
    },
    leasesInterval: {
      doc: "Static and dynamic leases (s)",
      format: interval,
      default: 30,
      env: "POLL_LEASES_INTERVAL",
    },
  },
  presence: {
    trackers: {
      doc: "Which LAN hosts get a device tracker: all, static (static leases only) or none",
      format: ["all", "static", "none"],
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
      format: days,
      default: 30,
      env: "PRESENCE_REMOVE_AFTER_DAYS",
    },
  },
  log: {
    level: {
      doc: "Log level",
      format: ["error", "warn", "info", "debug"],
      default: "info",
      env: "LOG_LEVEL",
    },
    format: { doc: "Log format", format: ["text", "json"], default: "text", env: "LOG_FORMAT" },
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
