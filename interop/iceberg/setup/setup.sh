#!/usr/bin/env bash
# Installs the Iceberg interop tools into a cache outside the repository (CI keeps it between runs):
#   ${DATAMOVE_INTEROP_CACHE:-$HOME/.cache/datamove/interop}/iceberg/
#     venv/         PyIceberg, pyspark 3.5, duckdb (setup/requirements.txt; pip's own cache is reused)
#     jars/spark/   the Iceberg Spark runtime, AWS bundle, sqlite-jdbc, postgresql (setup/spark-pom.xml)
#     jars/rest/    Apache Iceberg's REST catalog server and its runtime classpath (setup/rest-pom.xml)
# Jars come from Maven Central through `mvn dependency:copy-dependencies` (and ~/.m2). Each part is redone
# only when its input file changed (a stamp holds the input's hash), so a second run takes about a second.
# Needs: Java 17, Maven, Python 3.10+ with venv. Prints the cache folder on its last line.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cache="${DATAMOVE_INTEROP_CACHE:-$HOME/.cache/datamove/interop}/iceberg"
mkdir -p "$cache"
python="${DATAMOVE_PYTHON:-python3}"

stamp_ok() { # <name> <input file>: the part is up to date
  [ -f "$cache/$1.stamp" ] && [ "$(cat "$cache/$1.stamp")" = "$(sha256sum "$2" | cut -d' ' -f1)" ]
}
stamp_set() { sha256sum "$2" | cut -d' ' -f1 >"$cache/$1.stamp"; }

if ! stamp_ok venv "$here/requirements.txt" || [ ! -x "$cache/venv/bin/python" ]; then
  echo "iceberg interop: installing the Python tools into $cache/venv" >&2
  [ -x "$cache/venv/bin/python" ] || "$python" -m venv "$cache/venv"
  "$cache/venv/bin/python" -m pip install -q --disable-pip-version-check -r "$here/requirements.txt"
  stamp_set venv "$here/requirements.txt"
fi

for part in spark rest; do
  if ! stamp_ok "jars-$part" "$here/$part-pom.xml" || [ ! -d "$cache/jars/$part" ]; then
    echo "iceberg interop: fetching the $part jars into $cache/jars/$part" >&2
    rm -rf "$cache/jars/$part.tmp"
    mvn -q -B -f "$here/$part-pom.xml" dependency:copy-dependencies \
      -DoutputDirectory="$cache/jars/$part.tmp" >&2
    rm -rf "$cache/jars/$part"
    mv "$cache/jars/$part.tmp" "$cache/jars/$part"
    stamp_set "jars-$part" "$here/$part-pom.xml"
  fi
done
echo "$cache"
