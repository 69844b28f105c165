#!/usr/bin/env bash
# Compiles proto/*.proto (the TensorBoard messages twin writes and reads) into
# src/log/generated/ with protobuf-es's generator (@bufbuild/protoc-gen-es,
# a devDependency) through protoc (Debian: apt-get install protobuf-compiler).
# The output is committed; regenerate after editing a .proto: npm run gen:proto
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v protoc >/dev/null; then
  echo "gen:proto needs protoc: apt-get install protobuf-compiler" >&2
  exit 1
fi
rm -rf src/log/generated
mkdir -p src/log/generated
protoc -I proto \
  --plugin=protoc-gen-es=node_modules/.bin/protoc-gen-es \
  --es_out=src/log/generated \
  --es_opt=target=ts,import_extension=ts \
  proto/*.proto
ls src/log/generated
