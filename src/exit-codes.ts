// Exit codes that tell a supervisor (Docker, systemd, s6) what happened, so it can decide
// whether restarting makes sense: a bad configuration, a refused pairing or a revoked token will
// not fix themselves, a crash might.
export const EXIT = {
  ok: 0,
  failure: 1,
  config: 2,
  pairing: 3,
  tokenRevoked: 4,
  brokerPort: 5,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
