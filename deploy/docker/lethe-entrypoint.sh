#!/bin/sh
# Runs one Lethe command in the container: ingress, serve or job, followed by its options.
# JAVA_OPTS adds JVM flags (heap).
set -eu
command="${1:-}"
case "$command" in
  ingress) main=io.lethe.ingress.IngressMain ;;
  serve) main=io.lethe.serving.ServeMain ;;
  job) main=io.lethe.job.LearnerJobMain ;;
  *)
    echo "usage: (ingress|serve|job) [options]; each command takes --help" >&2
    exit 2
    ;;
esac
shift
# shellcheck disable=SC2086 # JAVA_OPTS is a list of flags
exec java -Dai.djl.offline=true -Dlog4j2.configurationFile=/opt/lethe/log4j2.properties ${JAVA_OPTS:-} -cp '/opt/lethe/lib/*' "$main" "$@"
