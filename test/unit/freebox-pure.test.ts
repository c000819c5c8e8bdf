// Pure pieces of the Freebox client: HMAC, permissions, version parsing, envelope, TLS settings.
import { rootCertificates } from "node:tls";
import { describe, expect, it } from "vitest";
import { hmacPassword, normalizePermissions } from "../../src/freebox/auth.js";
import { parseMajor, SUPPORTED_MAJOR } from "../../src/freebox/client.js";
import { FreeboxError } from "../../src/freebox/errors.js";
import { parseEnvelope } from "../../src/freebox/http.js";
import { FREEBOX_LAN_NAME, freeboxRoots, tlsSettingsFor } from "../../src/freebox/tls.js";
import { splitUrl } from "../../src/freebox/transport.js";

const thrown = (fn: () => unknown): FreeboxError => {
  try {
    fn();
  } catch (error) {
    if (error instanceof FreeboxError) return error;
    throw error;
  }
  throw new Error("did not throw");
};

describe("hmacPassword", () => {
  it("matches the documented test vector (essentials §4)", () => {
    expect(
      hmacPassword(
        "89vtuOaDxJ/TDeBDPgWSk9083SbQgEMnHdIGoHg2qK2tpWcLuiRofIjuxZSG8yJn",
        "drMHV/Atq4ZTtFItdgqfklDdT75k92qE",
      ),
    ).toBe("b4015852c9216f99f4ba20964b21c010bb779d99");
  });
});

describe("normalizePermissions", () => {
  it("keeps unknown keys, makes missing known keys false, coerces non-booleans to false", () => {
    const p = normalizePermissions({ wdo: true, vm: false, calls: "yes" });
    expect(p).toMatchObject({ settings: false, wdo: true, vm: false, calls: false, explorer: false });
  });
  it("tolerates a missing object", () => {
    expect(normalizePermissions(undefined).settings).toBe(false);
  });
});

describe("parseMajor", () => {
  it("parses the whole integer part", () => {
    expect(parseMajor("15.0")).toBe(15);
    expect(parseMajor("10.2")).toBe(10);
    expect(parseMajor("8")).toBe(8);
    expect(parseMajor(16)).toBe(16);
    expect(parseMajor("x15")).toBeUndefined();
    expect(parseMajor("")).toBeUndefined();
    expect(parseMajor(undefined)).toBeUndefined();
  });
  it("supports majors up to the documented field range", () => {
    expect(SUPPORTED_MAJOR).toBeGreaterThanOrEqual(10);
  });
});

describe("parseEnvelope", () => {
  it("returns result, or undefined for a DELETE without result", () => {
    expect(parseEnvelope(200, '{"success":true,"result":{"a":1}}', "GET x/")).toEqual({ a: 1 });
    expect(parseEnvelope(200, '{"success":true}', "DELETE x/")).toBeUndefined();
  });
  it("maps a failed envelope to its error_code, whatever the HTTP status", () => {
    const e = thrown(() =>
      parseEnvelope(200, '{"success":false,"error_code":"invalid_port","msg":"Port invalide"}', "PUT c/"),
    );
    expect(e.code).toBe("invalid_port");
    expect(e.httpStatus).toBe(200);
    expect(e.message).toBe('PUT c/: invalid port (box: "Port invalide")');
  });
  it("keeps missing_right", () => {
    const e = thrown(() =>
      parseEnvelope(
        403,
        '{"success":false,"error_code":"insufficient_rights","missing_right":"settings"}',
        "x",
      ),
    );
    expect(e.missingRight).toBe("settings");
    expect(e.httpStatus).toBe(403);
  });
  it("refuses garbage, truncated JSON and non-envelopes as bad_response", () => {
    for (const text of ["<html>", '{"success":tr', "[]", '{"result":{}}', '{"success":"yes"}', ""]) {
      expect(thrown(() => parseEnvelope(200, text, "GET x/")).code).toBe("bad_response");
    }
  });
  it("reports an error status without an envelope as http_error", () => {
    const e = thrown(() => parseEnvelope(502, "<html>Bad Gateway</html>", "GET x/"));
    expect(e.code).toBe("http_error");
    expect(e.httpStatus).toBe(502);
  });
  it("gives unknown codes a readable message", () => {
    const e = thrown(() => parseEnvelope(200, '{"success":false,"error_code":"brand_new"}', "GET x/"));
    expect(e.code).toBe("brand_new");
    expect(e.message).toContain('"brand_new"');
  });
});

describe("tlsSettingsFor", () => {
  it("is undefined for plain http", () => {
    expect(tlsSettingsFor(new URL("http://mafreebox.freebox.fr"))).toBeUndefined();
  });
  it("trusts the system roots, the four bundled roots and the extras", () => {
    const s = tlsSettingsFor(new URL("https://mafreebox.freebox.fr"), ["EXTRA"]);
    expect(freeboxRoots()).toHaveLength(4);
    expect(s?.ca).toHaveLength(rootCertificates.length + 4 + 1);
    expect(s?.ca).toContain("EXTRA");
    expect(s?.servername).toBeUndefined();
  });
  it("verifies a bare IP against the LAN name", () => {
    expect(tlsSettingsFor(new URL("https://192.168.1.254"))?.servername).toBe(FREEBOX_LAN_NAME);
    expect(tlsSettingsFor(new URL("https://[::1]:3615"))?.servername).toBe(FREEBOX_LAN_NAME);
    expect(tlsSettingsFor(new URL("https://abcd.fbxos.fr:3615"))?.servername).toBeUndefined();
  });
});

describe("splitUrl", () => {
  // What undici's request() takes, the same as a WHATWG URL parse gives, for every URL a Request can hold.
  it.each([
    "http://127.0.0.1:8080/api/v15/connection/",
    "https://mafreebox.freebox.fr/api/v15/lan/browser/pub/?x=1&y=%20",
    "http://[::1]:3000/api/v15/dhcp/static_lease/00%3A11/",
    "https://192.168.1.254/",
    "http://127.0.0.1:8080",
    "http://127.0.0.1:8080/api/v15/system/?a=b#fragment",
  ])("%s", (raw) => {
    const url = new Request(raw).url;
    const parsed = new URL(url);
    expect(splitUrl(url)).toEqual({ origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` });
  });
});
