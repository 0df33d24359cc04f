# syntax=docker/dockerfile:1
# The Pacing Agent as a service: `serve` (Slack, schedules, /healthz, /readyz, /metrics) on PORT, its SQLite
# database on the /data volume. Build: `docker build -t pacing-agent .`; run it with deploy/compose.yaml.
#
# Three stages: `build` compiles TypeScript with the dev dependencies; `prod-deps` installs the production
# dependencies alone and builds better-sqlite3's native binary; the final stage gets only what runs.
# test/e2e/production-install.test.ts repeats the prod-deps and final stages on the host (no Docker engine there).

# Node 24, the LTS line (Node 20 reached its end of life on 2026-04-30), on Debian 12 slim, pinned to one release
# so a rebuild gets the same runtime; add the multi-arch index digest (`docker buildx imagetools inspect
# node:24.21.0-bookworm-slim`) to pin the bytes too. CI runs the production-install test on exactly this version
# (.ci/run takes it from this line). better-sqlite3 12.x supports Node 20–26; development machines still run 20.
ARG NODE_IMAGE=node:24.21.0-bookworm-slim

# ---------------------------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would run tsc before the sources are here, and tsc needs no native module.
RUN --mount=type=cache,target=/root/.npm \
    npm ci --ignore-scripts --no-audit --no-fund
# `npm run build`: tsc, then scripts/ bundles the entry points with esbuild (its binary comes as an optional
# dependency: its own install script is not needed either).
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
RUN npm run build

# ---------------------------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS prod-deps
# For node-gyp, when better-sqlite3 has no prebuilt binary for this platform (its install script downloads
# one first). This stage is thrown away: the compilers never reach the final image.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json deploy/prod-deps.sh ./
# `npm ci --omit=dev --ignore-scripts`, then better-sqlite3's own install script, then only its binary kept
# (see the script; the production-install test runs the same script).
RUN --mount=type=cache,target=/root/.npm \
    sh prod-deps.sh

# ---------------------------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE}
# DejaVu for the digest chart's text (resvg draws text with system fonts). npm, corepack and yarn are not
# needed to run the app: removing them takes ~25 MB and their own dependencies out of the image.
RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/* \
 && rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack /opt/yarn-* \
           /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack /usr/local/bin/yarn /usr/local/bin/yarnpkg \
 && groupadd --system --gid 10001 pacing \
 && useradd --system --uid 10001 --gid pacing --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin pacing \
 && mkdir /data \
 && chown pacing:pacing /data

WORKDIR /app
# Everything under /app belongs to root and is read-only for the app; only /data is writable.
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json manifest.json ./
# The bundled demo data: the default PACING_DATA_DIR. Mount your own and set PACING_DATA_DIR for real plans.
COPY fixtures ./fixtures
# `docker compose exec app pacing pending` works like `npx pacing pending` on a host.
RUN ln -s /app/dist/cli/bin.js /usr/local/bin/pacing

ENV NODE_ENV=production \
    PACING_DB=/data/pacing.db \
    PORT=3000
VOLUME /data
# Numeric, so that Kubernetes' runAsNonRoot can check it.
USER 10001:10001
EXPOSE 3000

# /healthz answers 200 while the process is alive (Slack's receiver in HTTP mode, a small server in Socket Mode).
# Slim images have no curl: Node asks.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "require('http').get({host:'127.0.0.1',port:process.env.PORT||3000,path:'/healthz',timeout:4000},r=>process.exit(r.statusCode===200?0:1)).on('timeout',()=>process.exit(1)).on('error',()=>process.exit(1))"]

CMD ["node", "dist/main.js", "serve"]
