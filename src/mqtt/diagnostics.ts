// Turning mqtt.js outcomes into log lines a user can act on, and the reconnect schedule.
// Shared by MqttConnection and the one-shot broker probe.

export function backoffDelay(attempt: number, reconnect: { initialMs: number; maxMs: number }): number {
  return Math.min(reconnect.maxMs, reconnect.initialMs * 2 ** Math.min(attempt, 30));
}

export function formatDelay(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Number((ms / 1000).toFixed(1))}s`;
}

/** The URL without any credentials, for log lines. */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = "";
    u.password = "";
    return u.toString();
  } catch {
    return "(invalid MQTT URL)";
  }
}

/** mqtt.js and socket errors as a sentence a user can act on. */
export function describeMqttError(error: Error, connectTimeoutMs: number): string {
  const code: unknown = (error as { code?: unknown }).code;
  // CONNACK return codes, MQTT 3.1.1 §3.2.2.3 (mqtt.js: "Connection refused: …", code = rc).
  switch (code) {
    case 1:
      return "the broker does not accept MQTT 3.1.1 (unacceptable protocol version)";
    case 2:
      return "the broker rejected the client id (set MQTT_CLIENT_ID)";
    case 3:
      return "the broker says the MQTT service is unavailable";
    case 4:
      return "the broker refused the user name or password: check MQTT_USERNAME and MQTT_PASSWORD";
    case 5:
      return "the broker refused the connection: not authorized (check MQTT_USERNAME, MQTT_PASSWORD and the broker's ACL)";
    case "ECONNREFUSED":
      return "connection refused (is the broker running on that port?)";
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return "host name not found";
    case "ETIMEDOUT":
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return "host unreachable";
    case "ECONNRESET":
      return "connection reset by the broker";
  }
  if (error.message === "connack timeout") {
    return `no answer to CONNECT within ${formatDelay(connectTimeoutMs)} (is it an MQTT broker?)`;
  }
  // Node's TLS codes: ERR_TLS_*, *_CERT_*, ERR_SSL_*, and UNABLE_TO_VERIFY_LEAF_SIGNATURE (an
  // unknown issuer), which names no certificate.
  if (typeof code === "string" && /CERT|TLS|SSL|UNABLE_TO_VERIFY/.test(code)) {
    return `TLS: ${error.message} (check MQTT_CA and the broker's certificate)`;
  }
  return error.message;
}
