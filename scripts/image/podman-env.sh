# Sourced by the image scripts: podman settings these machines need (see README, "The image").
# crun cannot set rlimits here and the cgroups are hybrid: use runc, and ulimits within the hard limits.
# Kept in a file of our own (CONTAINERS_CONF), never in the system's configuration.
PODMAN_CONF_DIR=${PODMAN_CONF_DIR:-${TMPDIR:-/tmp}/contact-intake-podman}
mkdir -p "$PODMAN_CONF_DIR"
nofile=$(ulimit -Hn)
cat >"$PODMAN_CONF_DIR/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=${nofile}:${nofile}", "nproc=32768:32768"]
[engine]
runtime = "runc"
CONF
export CONTAINERS_CONF="$PODMAN_CONF_DIR/containers.conf"
