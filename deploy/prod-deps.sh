#!/bin/sh
# Installs the production dependencies alone into the current folder (package.json and package-lock.json), as
# the container image holds them: nothing from devDependencies, no root `prepare` (it runs tsc, a dev
# dependency), better-sqlite3's native binary and none of its sources. Used by the Dockerfile's prod-deps stage
# and by test/e2e/production-install.test.ts; extra arguments go to `npm ci` (the test adds --prefer-offline).
#
# PACING_SQLITE_BINARY=<path to a better_sqlite3.node> takes a binary already built for this Node and this
# better-sqlite3 version instead of building one (about 70 s on 2 cores when no prebuilt one can be downloaded).
set -eu

npm ci --omit=dev --ignore-scripts --no-audit --no-fund "$@"

# better-sqlite3 is the only production dependency with an install script (`prebuild-install || node-gyp
# rebuild --release`: download a prebuilt binary, else compile); the test fails when another one gains one.
sqlite=node_modules/better-sqlite3
if [ -n "${PACING_SQLITE_BINARY:-}" ]; then
  mkdir -p "$sqlite/build/Release"
  cp "$PACING_SQLITE_BINARY" "$sqlite/build/Release/better_sqlite3.node"
else
  npm rebuild better-sqlite3
fi

# Only the binary is read at run time: SQLite's sources and object files are ~25 MB, the dependencies' type
# declarations and source maps ~50 MB more.
mv "$sqlite/build/Release/better_sqlite3.node" better_sqlite3.node.keep
rm -rf "$sqlite/build" "$sqlite/deps" "$sqlite/src"
mkdir -p "$sqlite/build/Release"
mv better_sqlite3.node.keep "$sqlite/build/Release/better_sqlite3.node"
find node_modules -type f \( -name '*.d.ts' -o -name '*.d.cts' -o -name '*.d.mts' \
  -o -name '*.js.map' -o -name '*.cjs.map' -o -name '*.mjs.map' -o -name '*.ts.map' -o -name '*.cts.map' \
  -o -name '*.mts.map' \) -delete

# Fail here, not at the first request, when the binary does not load on this Node.
node -e "new (require('better-sqlite3'))(':memory:').prepare('select 1').get()"
