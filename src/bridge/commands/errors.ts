// Turns what went wrong into the `code` and `error` of a response. The box's code always passes
// through as `code`. The client's FreeboxError messages are already readable English with the
// box's French `msg` appended (src/freebox/messages.ts), so they are kept, with this command's
// context in front when it says more (which lease, which address).
import { FreeboxError } from "../../freebox/errors.js";
import { describeBoxError, GRANT_SETTINGS_HINT } from "../../freebox/messages.js";
import { CommandError } from "../validate.js";

export interface ErrorAnswer {
  code: string;
  error: string;
}

// Every write needs the `settings` right, off for a newly paired app; a right granted later only
// applies to a new session (freebox-os-essentials §5). The client drops the session that was
// refused (freebox/auth.ts), so the next command opens one with the new right: no restart needed.
function missingRight(right: string): string {
  const how =
    right === "settings"
      ? GRANT_SETTINGS_HINT
      : "grant it in Freebox OS: Paramètres de la Freebox → Gestion des accès → Applications → freebox2mqtt";
  return `freebox2mqtt lacks the "${right}" right: ${how}, then send the command again (freebox2mqtt opens a new session, which has it)`;
}

const containsSecret = (text: string, secrets: readonly string[]): boolean =>
  secrets.some((s) => s !== "" && text.includes(s));

/**
 * The code and sentence for a failure. A message that contains a secret of the command (the box
 * may repeat what it was sent) is replaced by a generic one rather than edited, so that a short
 * password cannot survive partially and unrelated text is not mangled.
 */
export function describeError(
  e: unknown,
  secrets: readonly string[] = [],
  hints: Readonly<Record<string, string>> = {},
): ErrorAnswer {
  if (e instanceof CommandError) {
    return {
      code: e.code,
      error: containsSecret(e.message, secrets) ? "the request was refused" : e.message,
    };
  }
  if (e instanceof FreeboxError) {
    if (e.code === "insufficient_rights") {
      return { code: e.code, error: missingRight(e.missingRight ?? "settings") };
    }
    // The client names a lease call by its URL, whose MAC colons are percent-encoded
    // ("PUT dhcp/static_lease/AA%3ABB…"); the user typed colons.
    const message = e.message.trim().replace(/%3A/gi, ":");
    const detail =
      message === "" || containsSecret(message, secrets)
        ? describeBoxError("the box refused", e.code)
        : message;
    const hint = Object.hasOwn(hints, e.code) ? hints[e.code] : undefined;
    return { code: e.code, error: hint === undefined ? detail : `${hint} (${detail})` };
  }
  const message = e instanceof Error ? e.message : String(e);
  return {
    code: "internal_error",
    error: containsSecret(message, secrets)
      ? "internal error in freebox2mqtt"
      : `internal error in freebox2mqtt: ${message}`,
  };
}
