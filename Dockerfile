# One image for both processes:
#   API:     docker run IMAGE                          (node dist/src/server.js)
#   worker:  docker run IMAGE node dist/workers/main.js
#   migrate: docker run IMAGE node dist/src/cli/index.js db migrate
# Built and checked by reading only: the development machines have no Docker engine.

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

FROM node:20-bookworm-slim
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
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health/live').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# close-with-grace handles SIGTERM; keep SHUTDOWN_TIMEOUT_MS under the orchestrator's grace period.
STOPSIGNAL SIGTERM
CMD ["node", "dist/src/server.js"]
