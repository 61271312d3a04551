# syntax=docker/dockerfile:1
# One image for both processes: `web` (the default command) and `worker` (command `dist/worker/main.js`).
# Debian, not Alpine: @temporalio/core-bridge ships glibc binaries only.

ARG NODE_IMAGE=node:20.20-bookworm-slim

# Build stage: every dependency (TypeScript, tsx), then `npm run build`: the production code compiled
# to dist/ and the workflow code bundled once (dist/workflow-bundle.js), so workers start without
# webpack and nothing runs TypeScript at run time.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci
COPY . .
RUN npm run build

# Runtime stage: production dependencies only, and the compiled code with its views and bundle.
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev
COPY --from=build /app/dist ./dist
# Files stay owned by root: the app cannot rewrite its own code.
USER node
# Operator commands run the same way: `docker compose run --rm worker dist/tools/admin.js rotate-key`.
ENTRYPOINT ["node"]
CMD ["dist/web/main.js"]
