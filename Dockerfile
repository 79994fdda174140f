# syntax=docker/dockerfile:1
# Multi-stage image: build the bundle with the full dependency tree, ship production dependencies
# only: no TypeScript, esbuild, test tools (devDependencies) and no embedded PostgreSQL (optional: the
# image needs DATABASE_URL and says so at start). google-ads-api (optional too, ~75 MB, only for
# `api: ads-api` targets of allowlisted accounts) is included with --build-arg ADS_API=1.
# Size and how it was measured: README, Deploy. Node 22 is the supported LTS line (Node 20, the floor
# in package.json engines, left maintenance in 2026-04); the pinned stack runs on both.
ARG NODE_VERSION=22

FROM node:${NODE_VERSION}-alpine AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json ./
COPY bin ./bin
COPY src ./src
# Source maps stay out of the image (they are for a checkout's stack traces).
RUN node bin/build.js && find dist -name "*.map" -delete

FROM node:${NODE_VERSION}-alpine AS deps
ARG ADS_API=0
WORKDIR /app
COPY package.json package-lock.json ./
# effect and @effect/* are bundled into dist/ (bin/build.js); type declarations, source maps and docs
# are not read at run time.
RUN npm ci --omit=dev --omit=optional --no-audit --no-fund --ignore-scripts \
 && if [ "$ADS_API" = "1" ]; then \
      npm install --omit=dev --no-save --no-audit --no-fund --ignore-scripts \
        "google-ads-api@$(node -p "require('./package.json').optionalDependencies['google-ads-api']")"; \
    fi \
 && rm -rf node_modules/effect node_modules/@effect \
 && find node_modules -type f \( -name "*.d.ts" -o -name "*.d.mts" -o -name "*.d.cts" -o -name "*.map" \
      -o -name "*.md" -o -name "*.ts" -o -name "*.tsbuildinfo" \) -delete

FROM node:${NODE_VERSION}-alpine AS runtime
# npm, npx, corepack and yarn are not needed to run node bin/s2s.js.
RUN rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack /opt/yarn-* \
      /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack /usr/local/bin/yarn /usr/local/bin/yarnpkg
# A heap cap keeps the resident size flat (V8 otherwise grows its heap lazily on a large machine).
# METRICS_PORT: worker-only processes (`s2s worker`) answer /healthz, /readyz and /metrics there.
ENV NODE_ENV=production LOG_FORMAT=json PORT=3000 METRICS_PORT=9091 NODE_OPTIONS=--max-old-space-size=192
WORKDIR /app
COPY package.json ./
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY sql ./sql
COPY examples ./examples
RUN mkdir -p /app/.s2s && chown node:node /app/.s2s
# The image's own non-root user (uid 1000).
USER node
EXPOSE 3000 9091
# One image runs the API (readyz on PORT) or a worker (readyz on METRICS_PORT): the first that answers counts.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "const e=process.env,f=p=>fetch('http://127.0.0.1:'+p+'/readyz').then(r=>r.ok);f(e.PORT||3000).catch(()=>false).then(ok=>ok||f(e.METRICS_PORT||9091)).then(ok=>process.exit(ok?0:1),()=>process.exit(1))"]
CMD ["node", "bin/s2s.js", "serve"]
