# syntax=docker/dockerfile:1
# One image for both processes: `web` (the default command) and `worker` (command `worker/main.ts`).
# Debian, not Alpine: @temporalio/core-bridge ships glibc binaries only.

ARG NODE_IMAGE=node:20.20-bookworm-slim

# Build stage: bundles the workflow code once (dist/workflow-bundle.js) so workers start without
# webpack. The bundler needs only production dependencies (@temporalio/worker, tsx).
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev
COPY . .
RUN npm run build

# Runtime stage: production dependencies, the source (run through tsx) and the prebuilt bundle.
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev
COPY . .
COPY --from=build /app/dist ./dist
# Files stay owned by root: the app cannot rewrite its own code.
USER node
ENTRYPOINT ["node", "--import", "tsx"]
CMD ["web/main.ts"]
