# syntax=docker/dockerfile:1
# Multi-stage image: build the bundle with the full dependency tree, ship production dependencies only.
# Node 22 is the supported LTS line (Node 20, the floor in package.json engines, left maintenance in
# 2026-04); the pinned stack runs on both.
ARG NODE_VERSION=22

FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY bin ./bin
COPY src ./src
COPY web ./web
RUN node bin/build.js

FROM node:${NODE_VERSION}-bookworm-slim AS runtime
# A heap cap keeps the resident size flat (V8 otherwise grows its heap lazily on a large machine).
# METRICS_PORT: worker-only processes (`s2s worker`) answer /healthz, /readyz and /metrics there.
ENV NODE_ENV=production LOG_FORMAT=json PORT=3000 METRICS_PORT=9091 NODE_OPTIONS=--max-old-space-size=192
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY sql ./sql
COPY examples ./examples
# Production uses DATABASE_URL; the embedded PostgreSQL data directory is only for local runs.
RUN mkdir -p /app/.s2s && chown node:node /app/.s2s
USER node
EXPOSE 3000 9091
# One image runs the API (readyz on PORT) or a worker (readyz on METRICS_PORT): the first that answers counts.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD node -e "const e=process.env,f=p=>fetch('http://127.0.0.1:'+p+'/readyz').then(r=>r.ok);f(e.PORT||3000).catch(()=>false).then(ok=>ok||f(e.METRICS_PORT||9091)).then(ok=>process.exit(ok?0:1),()=>process.exit(1))"
CMD ["node", "bin/s2s.js", "serve"]
