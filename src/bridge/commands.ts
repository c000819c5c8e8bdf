// The command router: MQTT command messages → validated FreeboxApi calls, each answered on
// `<base>/bridge/response/<command topic without "<base>/">` (README "Commands").
//
// - Validation happens before any call; invalid input never reaches the box.
// - Commands on one resource run one at a time in arrival order (commands/queue.ts).
// - The response is resolved as soon as the box answered; the state refresh runs right after,
//   still inside the resource's queue, so the user is not kept waiting for a poll but the next
//   command on that resource only starts once the refreshed state is published.
// - The same message with the same `transaction` within 10 minutes is answered from cache, not
//   re-executed (commands/dedupe.ts: QoS 1 redelivery).
// - Nothing throws out of `handle`; unexpected exceptions become `internal_error` answers.

import { isRecord } from "../json.js";
import { registerSecret } from "../logger.js";
import { fitsTopicLimit, MAX_TOPIC_BYTES } from "../mqtt/topics.js";
import { TransactionCache } from "./commands/dedupe.js";
import { describeError, type ErrorAnswer } from "./commands/errors.js";
import { KeyedQueue } from "./commands/queue.js";
import { route } from "./commands/routes.js";
import type { CommandContext, CommandDef, CommandResponse, Plan } from "./commands/types.js";
import { isBridgeOutput } from "./own-topics.js";
import type { ResourceId } from "./resources.js";
import { BAD_TOPIC_CHARS, invalid, jsonType, parseJson, quote } from "./validate.js";

export type { CommandContext, CommandResponse } from "./commands/types.js";

export interface CommandRouterOptions {
  /** Larger payloads are refused unread (default 16 KiB; every valid command is far smaller). */
  maxPayloadBytes?: number;
  /** Clock of the duplicate guard (tests). */
  now?: () => number;
}

type Transaction = string | number;

const BAD_TOPIC_CHARS_ALL = new RegExp(BAD_TOPIC_CHARS.source, "gu");
const utf8 = new TextDecoder("utf-8", { fatal: true });

function decode(payload: Buffer): string | undefined {
  try {
    return utf8.decode(payload);
  } catch {
    return undefined;
  }
}

/** A `transaction` to echo: a string (≤ 255 characters) or a finite number. */
function readTransaction(body: Record<string, unknown>): Transaction | undefined {
  if (!Object.hasOwn(body, "transaction")) return undefined;
  const t = body.transaction;
  if ((typeof t === "string" && t.length <= 255) || (typeof t === "number" && Number.isFinite(t))) return t;
  throw invalid(`transaction must be a string of at most 255 characters or a number, got ${quote(t)}`);
}

/** `value` without any `password` field, at any depth (the write-only DynDNS field). */
function withoutPasswords(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutPasswords);
  if (!isRecord(value)) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key !== "password")
      .map(([key, v]) => [key, withoutPasswords(v)]),
  );
}

export class CommandRouter {
  private readonly prefix: string;
  private readonly maxPayloadBytes: number;
  private readonly queue = new KeyedQueue();
  private readonly seen: TransactionCache<CommandResponse>;

  constructor(
    private readonly baseTopic: string,
    private readonly ctx: CommandContext,
    options: CommandRouterOptions = {},
  ) {
    this.prefix = `${baseTopic}/`;
    this.maxPayloadBytes = options.maxPayloadBytes ?? 16 * 1024;
    this.seen = new TransactionCache<CommandResponse>(undefined, undefined, options.now);
  }

  /**
   * The subscription (QoS 1): everything below the base, so that every publish there is answered
   * (README "Commands"); the bridge's own outputs are told apart in `handle`.
   */
  subscriptions(): string[] {
    return [`${this.baseTopic}/#`];
  }

  /**
   * Never throws. Returns the response to publish (not retained), or null for a message that gets
   * none: outside the base, one of the bridge's own outputs, retained, or whose response topic would
   * exceed MQTT's limit. Everything up to queueing runs synchronously, so arrival order is queue order.
   */
  handle(topic: string, payload: Buffer, retained = false): Promise<CommandResponse | null> {
    if (typeof topic !== "string" || !topic.startsWith(this.prefix)) return Promise.resolve(null);
    const relative = topic.slice(this.prefix.length);
    if (isBridgeOutput(relative)) return Promise.resolve(null);
    if (retained) {
      // A retained command would run again at every reconnect (a retained reboot, a reboot loop).
      // An empty one is not a command at all: it is what clears a retained message.
      if (payload.length > 0) {
        this.ctx.logger.warn(
          `ignored a retained message on ${quote(topic, 200)}: publish commands without retain, and clear this one with an empty retained message`,
        );
      }
      return Promise.resolve(null);
    }
    // A response topic must be publishable: wildcards and control characters become "_".
    const responseTopic = `${this.baseTopic}/bridge/response/${relative.replace(BAD_TOPIC_CHARS_ALL, "_")}`;
    if (!fitsTopicLimit(responseTopic)) {
      this.ctx.logger.warn(
        `ignored a message on a topic of ${Buffer.byteLength(topic)} bytes (${quote(relative, 80)}): its response topic would exceed MQTT's limit of ${MAX_TOPIC_BYTES} bytes`,
      );
      return Promise.resolve(null);
    }
    let transaction: Transaction | undefined;
    try {
      const bad = relative.split("/").find((segment) => BAD_TOPIC_CHARS.test(segment));
      if (bad !== undefined) {
        throw invalid(`topic segment ${quote(bad)} contains a wildcard or control character`);
      }
      const def = route(relative, this.baseTopic);
      // An empty payload is how a retained message is cleared, never a command: `-r -n` on
      // system/reboot must not reboot the box (brokers forward it to us without the retain flag).
      if (payload.length === 0) {
        throw invalid(
          "the payload is empty: an empty message only clears a retained one, it is never a command",
        );
      }
      if (payload.length > this.maxPayloadBytes) {
        throw invalid(`payload is ${payload.length} bytes, more than the limit of ${this.maxPayloadBytes}`);
      }
      const read = this.read(def, payload);
      transaction = read.transaction;
      const key = transaction === undefined ? undefined : TransactionCache.key(topic, transaction, payload);
      const earlier = key === undefined ? undefined : this.seen.get(key);
      if (earlier !== undefined) {
        this.ctx.logger.info(
          `command ${relative}: transaction ${quote(transaction)} already handled, answered again`,
        );
        return earlier;
      }
      const response = this.enqueue(read.prepare(), relative, responseTopic, transaction);
      if (key !== undefined) this.seen.set(key, response);
      return response;
    } catch (e) {
      const answer = describeError(e);
      this.log(relative, answer);
      return Promise.resolve(this.errorResponse(responseTopic, answer, transaction));
    }
  }

  /** Waits for commands in flight, and their state refreshes (bounded by the caller). */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  /**
   * Decodes the payload as the command expects it. The transaction is known before the fields
   * are validated, so that a refusal still echoes it; `prepare` then validates them.
   */
  private read(def: CommandDef, payload: Buffer): { transaction?: Transaction; prepare: () => Plan } {
    const text = decode(payload);
    if (def.payload === "any") {
      // Any payload is accepted; a JSON object may still carry a transaction to echo.
      let transaction: Transaction | undefined;
      try {
        const body = text === undefined ? undefined : parseJson(text);
        if (isRecord(body)) transaction = readTransaction(body);
      } catch {
        transaction = undefined;
      }
      const prepare = () => def.prepare();
      return transaction === undefined ? { prepare } : { prepare, transaction };
    }
    if (text === undefined) throw invalid("payload is not valid UTF-8 text");
    if (def.payload === "raw") return { prepare: () => def.prepare(text) };
    const body = parseJson(text);
    // The payload's value is not quoted: it may be a DynDNS password.
    if (!isRecord(body)) throw invalid(`payload must be a JSON object, got ${jsonType(body)}`);
    const transaction = readTransaction(body);
    const prepare = () => def.prepare(body);
    return transaction === undefined ? { prepare } : { prepare, transaction };
  }

  private enqueue(
    plan: Plan,
    relative: string,
    topic: string,
    transaction: Transaction | undefined,
  ): Promise<CommandResponse> {
    const secrets = plan.secrets ?? [];
    // Also hide them from every log line, including the HTTP client's (src/logger.ts).
    for (const secret of secrets) registerSecret(secret);
    return new Promise<CommandResponse>((resolve) => {
      this.queue.push(plan.queue, async () => {
        let done = false;
        try {
          // The box must never make us echo a password (README: write-only fields never
          // appear anywhere). Only the field is dropped: the same text elsewhere in the answer (a
          // password that is also part of the hostname) is the user's own data, not a leak.
          const data: unknown = withoutPasswords((await plan.run(this.ctx)) ?? null);
          this.ctx.boxAnswered();
          const payload = JSON.stringify(
            transaction === undefined ? { status: "ok", data } : { status: "ok", data, transaction },
          );
          resolve({ topic, payload });
          this.ctx.logger.info(`command ${relative}: ok`);
          done = true;
        } catch (e) {
          const answer = describeError(e, secrets, plan.hints);
          this.log(relative, answer, e);
          resolve(this.errorResponse(topic, answer, transaction));
        }
        if (done && plan.refresh) await this.refresh(plan.refresh, relative);
      });
    });
  }

  private async refresh(resource: ResourceId, relative: string): Promise<void> {
    try {
      await this.ctx.refresh(resource);
    } catch (e) {
      const { code, error } = describeError(e);
      this.ctx.logger.warn(`command ${relative}: refreshing ${resource} failed: ${error}`, { code });
    }
  }

  private errorResponse(topic: string, answer: ErrorAnswer, transaction?: Transaction): CommandResponse {
    const body = { status: "error", code: answer.code, error: answer.error };
    return { topic, payload: JSON.stringify(transaction === undefined ? body : { ...body, transaction }) };
  }

  private log(relative: string, answer: ErrorAnswer, e?: unknown): void {
    const line = `command ${quote(relative, 200)} failed (${answer.code}): ${answer.error}`;
    if (answer.code === "internal_error") {
      // The stack helps a bug report; the message part was already checked for secrets.
      const stack = e instanceof Error ? e.stack?.split("\n").slice(1, 6).join("\n") : undefined;
      this.ctx.logger.error(line, { code: answer.code, stack });
    } else if (answer.code === "invalid_request" || answer.code === "unknown_command") {
      this.ctx.logger.info(line, { code: answer.code });
    } else {
      this.ctx.logger.warn(line, { code: answer.code });
    }
  }
}
