// The Freebox OS answer envelope: `{success:true, result}` or `{success:false, error_code, msg}` with
// a French `msg`, HTTP 403 for every authentication error, 404 for an unknown path and 200 for
// every other error (freebox-os-essentials §1).

/** French messages, as real boxes word them (or close to it). */
const MESSAGES: Record<string, string> = {
  auth_required: "Vous devez vous connecter pour accéder à cette fonction",
  invalid_session: "Session invalide",
  invalid_token: "Erreur d'authentification de l'application",
  pending_token: "L'application n'a pas encore été validée par l'utilisateur",
  insufficient_rights: "Cette application n'est pas autorisée à accéder à cette fonction",
  ratelimited: "Trop de tentatives de connexion, veuillez réessayer plus tard",
  new_apps_denied: "La demande d'autorisation d'application a été désactivée",
  invalid_request: "Requête invalide",
  unknown_api: "API inconnue",
  unknown_version: "Version d'API inconnue",
  inval: "Paramètre invalide",
  invalid_port: "Port invalide",
  port_outside_range: "Le port est en dehors de la plage de ports autorisée",
  insecure_password: "Le mot de passe est trop faible pour activer l'accès distant",
  invalid_provider: "Fournisseur de DNS dynamique inconnu",
  invalid_next_hop: "Adresse de next hop invalide (doit être une adresse lien local)",
  inval_netmask: "Masque de sous-réseau invalide",
  inval_ip_range: "Plage d'adresses IP invalide",
  inval_ip_range_net: "La plage d'adresses IP ne correspond pas au masque de sous-réseau",
  inval_gw_net: "La passerelle ne correspond pas au masque de sous-réseau",
  exist: "L'entrée existe déjà",
  noent: "Entrée introuvable",
  nodev: "Périphérique introuvable",
  nohost: "Hôte introuvable",
  netdown: "Le réseau est indisponible",
  busy: "Périphérique occupé, veuillez réessayer plus tard",
};

/** Authentication errors answer HTTP 403 (essentials §1). */
const AUTH_CODES = new Set([
  "auth_required",
  "invalid_session",
  "invalid_token",
  "pending_token",
  "insufficient_rights",
  "ratelimited",
  "new_apps_denied",
  "denied_from_external_ip",
  "apps_denied",
]);

export function messageFor(code: string): string {
  return MESSAGES[code] ?? "Erreur interne";
}

/** An error answer of the box; handlers throw it, the server turns it into the envelope. */
export class SimApiError extends Error {
  readonly code: string;
  readonly status: number;
  readonly extra: Record<string, unknown>;

  constructor(
    code: string,
    options: { status?: number; msg?: string; extra?: Record<string, unknown> } = {},
  ) {
    super(options.msg ?? messageFor(code));
    this.name = "SimApiError";
    this.code = code;
    this.status = options.status ?? (AUTH_CODES.has(code) ? 403 : 200);
    this.extra = options.extra ?? {};
  }
}

export function fail(code: string, extra?: Record<string, unknown>): never {
  throw new SimApiError(code, extra ? { extra } : {});
}

export interface Reply {
  status: number;
  body: string;
  contentType: string;
}

const JSON_TYPE = "application/json; charset=utf-8";

/** `result === undefined` gives `{"success":true}` (a successful DELETE has no result, §1). */
export function okReply(result: unknown): Reply {
  return { status: 200, body: JSON.stringify({ success: true, result }), contentType: JSON_TYPE };
}

export function errorReply(error: SimApiError): Reply {
  const body = { success: false, error_code: error.code, msg: error.message, ...error.extra };
  return { status: error.status, body: JSON.stringify(body), contentType: JSON_TYPE };
}

/** Unknown path or version: HTTP 404 with the box's invalid_request body (essentials §2). */
export function notFoundReply(versionTooHigh: boolean): Reply {
  const msg = messageFor(versionTooHigh ? "unknown_version" : "unknown_api");
  return errorReply(new SimApiError("invalid_request", { status: 404, msg }));
}

export function rawJsonReply(value: unknown): Reply {
  return { status: 200, body: JSON.stringify(value), contentType: JSON_TYPE };
}
