// One error type for everything that goes wrong talking to the box. `code` is the box's
// `error_code` (auth_required, invalid_port, noent, …) or a transport code of ours.

/** Transport codes that are not Freebox error codes. */
export type TransportCode = "timeout" | "unreachable" | "bad_response" | "http_error" | "pairing_required";

export class FreeboxError extends Error {
  override readonly name = "FreeboxError";
  readonly code: string;
  readonly httpStatus: number | undefined;
  readonly missingRight: string | undefined;

  constructor(
    code: string,
    message: string,
    options: { httpStatus?: number | undefined; missingRight?: string | undefined; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.httpStatus = options.httpStatus;
    this.missingRight = options.missingRight;
  }

  /** True for failures of the network or of the box itself, where the box is "unavailable". */
  get isTransport(): boolean {
    return ["timeout", "unreachable", "bad_response", "http_error"].includes(this.code);
  }
}

export const isFreeboxError = (e: unknown): e is FreeboxError => e instanceof FreeboxError;
