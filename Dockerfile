# Two targets over one runtime stage (the same layers; each with its own command and health check):
#   API:     docker build -t contact-intake .                          (the default, last target)
#   worker:  docker build --target worker -t contact-intake-worker .
#   migrate: docker run contact-intake node dist/src/cli/index.js db migrate
# Built and run by `npm run test:image` (podman, against a local stand-in of the base image).

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json prisma.config.ts ./
COPY prisma ./prisma
COPY src ./src
COPY workers ./workers
COPY web ./web
COPY bench ./bench
# prisma generate never runs the schema engine; the variable only stops the CLI from downloading it.
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim AS runtime
WORKDIR /app
ENV HOST=0.0.0.0 PORT=3000
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY prisma/migrations ./prisma/migrations
COPY data ./data
# The mail drop folder (used only without SMTP_URL) must be writable by the unprivileged user.
RUN mkdir -p var/mail && chown node:node var/mail
USER node
# close-with-grace handles SIGTERM; keep SHUTDOWN_TIMEOUT_MS under the orchestrator's grace period.
STOPSIGNAL SIGTERM

# The health checks ask the process's operations listener (METRICS_PORT) whether it is ready, and
# believe only the process they name (src/ops/probe.ts).
FROM runtime AS worker
EXPOSE 9465
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s CMD ["node", "dist/src/ops/probe.js", "worker"]
CMD ["node", "dist/workers/main.js"]

FROM runtime AS api
EXPOSE 3000 9464
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s CMD ["node", "dist/src/ops/probe.js", "api"]
CMD ["node", "dist/src/server.js"]
