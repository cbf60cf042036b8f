#!/usr/bin/env bash
# Runs one OpenSearch node from Maven Central artifacts:
#   run.sh BASE_DIR HTTP_PORT CLUSTER_NAME [key=value node setting ...]
# `run.sh --fetch` only downloads the artifacts (CI does it before the tests).
# VISOR_OPENSEARCH_HEAP sets the heap (default 1g).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

java_major() { "$1/bin/java" -XshowSettings:properties -version 2>&1 | awk -F' = ' '/java.specification.version/ {print $2}'; }

# OpenSearch 3 needs Java 21 or later; the machine's default may be older, so take the newest.
find_java_home() {
    local best="" best_major=0 candidate major
    for candidate in ${JAVA_HOME:-} /usr/lib/jvm/*; do
        [ -x "$candidate/bin/java" ] || continue
        major="$(java_major "$candidate")"
        if [ "${major%%.*}" -gt "$best_major" ]; then best="$candidate"; best_major="${major%%.*}"; fi
    done
    if [ "$best_major" -lt 21 ]; then echo "run.sh: no JDK 21 or later found" >&2; exit 1; fi
    echo "$best"
}

java_home="$(find_java_home)"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/visor-opensearch-node"
mkdir -p "$cache"
classpath_file="$cache/classpath-$(sha256sum "$here/pom.xml" | cut -c1-16).txt"
# Fetch when there is no classpath yet, or when its jars are gone (a cleared ~/.m2).
if [ ! -s "$classpath_file" ] || [ ! -f "$(cut -d: -f1 "$classpath_file")" ]; then
    JAVA_HOME="$java_home" mvn -q -B -f "$here/pom.xml" dependency:build-classpath \
        -Dmdep.outputFile="$classpath_file.tmp" >&2
    mv "$classpath_file.tmp" "$classpath_file"
fi
if [ "${1:-}" = "--fetch" ]; then echo "OpenSearch node artifacts ready (java: $java_home)"; exit 0; fi

heap="${VISOR_OPENSEARCH_HEAP:-1g}"
exec "$java_home/bin/java" -Xms"$heap" -Xmx"$heap" -XX:+UseG1GC \
    -Dlog4j2.disable.jmx=true -Djava.awt.headless=true \
    -cp "$(cat "$classpath_file")" "$here/VisorNode.java" "$@"
