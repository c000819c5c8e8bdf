# syntax=docker/dockerfile:1
# freebox2mqtt: multi-stage build on the current Node LTS (Alpine), production dependencies only,
# non-root user, /data volume for the app token, tini as PID 1 so SIGTERM reaches Node.

ARG NODE_VERSION=24

FROM node:${NODE_VERSION}-alpine AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

FROM node:${NODE_VERSION}-alpine
ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="freebox2mqtt" \
      org.opencontainers.image.description="Freebox to MQTT bridge with Home Assistant discovery" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="MIT"
RUN apk add --no-cache tini
WORKDIR /app
# WAIT_ON_FATAL: Docker's restart policies cannot tell exit codes apart, so a condition only the
# user can fix (configuration, pairing, revoked token) waits for `docker stop` instead of
# exiting into a restart loop (src/cli/hold.ts).
ENV NODE_ENV=production \
    DATA_DIR=/data \
    LOG_FORMAT=json \
    WAIT_ON_FATAL=true
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY config ./config
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
# The bridge rewrites /data/health.json at every heartbeat (30 s); `health` checks it is fresh and
# that the broker connection is up. No HTTP server needed.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "dist/cli.js", "health"]
# V8 at its defaults, as everywhere else (docs/performance.md).
ENTRYPOINT ["/sbin/tini", "--", "node", "dist/cli.js"]
CMD ["run"]
