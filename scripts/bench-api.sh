#!/bin/bash
# Benchmark of the query path: ftpnatctl -> daemon socket -> ctnetlink dump -> back, end to end
# (CLI start included), against conntrack-tools on the same table in the same run, for every form
# a user types (list, filtered lists, json vs xml, count, status). Each comparison: the same
# warm-up for both sides, then RUNS pairs with the order flipped every pair; every run is printed
# with the medians (never a best-of-N). In a throw-away network namespace (deleted on exit, also
# on failure). Needs root; run scripts/install-deps and 'mvn -DskipTests package' first.
# The daemon starts first, so it is subscribed when `conntrack -R` loads the table: the first pairs,
# right after the load, measure the queries during the 100,000-event burst (BURST pairs, no warm-up).
# Usage: [RUNS=7] [WARMUP=2] [BURST=5] scripts/bench-api.sh [ENTRIES=100000] [CLIENTS=50]
set -euo pipefail
ENTRIES=${1:-100000}
CLIENTS=${2:-50}
RUNS=${RUNS:-7}
WARMUP=${WARMUP:-2}
BURST=${BURST:-5}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
NS=ftpnat-api-bench-$$
TMP=$(mktemp -d)
SOCK=$TMP/ftpnat.sock
DAEMON=
cleanup() {
  [ -n "$DAEMON" ] && kill "$DAEMON" 2>/dev/null && wait "$DAEMON" 2>/dev/null || true
  ip netns delete "$NS" 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT INT TERM
[ "$(id -u)" = 0 ] || { echo "needs root (network namespaces, CAP_NET_ADMIN)" >&2; exit 2; }
[ -f "$ROOT/controller/target/ftpnat.jar" ] || { echo "build first: mvn -DskipTests package" >&2; exit 2; }

ip netns add "$NS"
ip -n "$NS" link set lo up
X() { ip netns exec "$NS" "$@"; }
CTL=("$ROOT/bin/ftpnatctl" --socket "$SOCK")


cat > "$TMP/policy.yaml" <<'YAML'
version: 1
snat:
  - name: bench
    source: 10.10.10.0/24
    out_interface: lo
YAML
ip netns exec "$NS" "$ROOT/bin/ftpnatd" run --policy "$TMP/policy.yaml" --socket "$SOCK" > "$TMP/daemon.log" 2>&1 &
DAEMON=$!
for _ in $(seq 100); do [ -S "$SOCK" ] && grep -q "policy applied" "$TMP/daemon.log" && break; sleep 0.1; done
grep -q "policy applied" "$TMP/daemon.log" || { cat "$TMP/daemon.log"; exit 1; }
cpu() { awk '{print $14 + $15}' "/proc/$DAEMON/stat"; } # clock ticks (10 ms) of the daemon, all threads
rss() { awk '/VmRSS/ {print $2 / 1024 " MiB"}' "/proc/$DAEMON/status" 2>/dev/null || echo "?"; }
CTL_BIN=$ROOT/bin/ftpnatctl
FILTER_ADDR=11.0.0.7   # one entry of the table (scripts/conntrack-entries: 11.0.0.0 + i)
"$ROOT/scripts/conntrack-entries" "$ENTRIES" "$TMP/entries"

# The forms a user types, each next to the conntrack-tools command that does the same work on the
# same table (both write their whole output, to /dev/null). "status" has no conntrack-tools twin:
# its reference is the cheapest kernel query, conntrack -C.
ref_list()      { X conntrack -L; }
ours_list()     { "${CTL[@]}" -o conntrack conntrack list; }
ref_filter()    { X conntrack -L -p tcp --dport 21 -s "$FILTER_ADDR"; }
ours_filter()   { "${CTL[@]}" -o conntrack conntrack list -p tcp --dport 21 -s "$FILTER_ADDR"; }
ref_filterall() { X conntrack -L -p tcp --dport 21; }
ours_filterall(){ "${CTL[@]}" -o conntrack conntrack list -p tcp --dport 21; }
ref_xml()       { X conntrack -L -o xml; }
ours_json()     { "${CTL[@]}" -o json conntrack list; }
ref_count()     { X conntrack -C; }
ours_count()    { "${CTL[@]}" conntrack count; }
ours_status()   { "${CTL[@]}" status; }
ours_version()  { "$CTL_BIN" --version; }

ms() { # ms FN: wall time of one run, in ms, output discarded
  local s e; s=$(date +%s%N); "$1" >/dev/null 2>&1; e=$(date +%s%N); echo $(( (e - s) / 1000000 ))
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ratio() { awk -v x="$1" -v y="$2" 'BEGIN { printf "%.2f", x / y }'; }

# compare LABEL REF OURS: WARMUP runs of each, then RUNS pairs, the order flipped every pair (ref
# first in odd pairs, ours first in even ones), every run kept. Prints one table row: the median of
# each side, the ratio of the medians, the median and range of the per-pair ratios, every run.
compare() {
  local label=$1 ref=$2 ours=$3 i a b
  for i in $(seq "$WARMUP"); do ms "$ref" >/dev/null; ms "$ours" >/dev/null; done
  : > "$TMP/r"; : > "$TMP/o"; : > "$TMP/q"
  for i in $(seq "$RUNS"); do
    if (( i % 2 )); then a=$(ms "$ref"); b=$(ms "$ours"); else b=$(ms "$ours"); a=$(ms "$ref"); fi
    echo "$a" >> "$TMP/r"; echo "$b" >> "$TMP/o"; ratio "$b" "$a" >> "$TMP/q"; echo >> "$TMP/q"
  done
  local rm om qm qlo qhi
  rm=$(median < "$TMP/r"); om=$(median < "$TMP/o"); qm=$(median < "$TMP/q")
  qlo=$(sort -n "$TMP/q" | head -1); qhi=$(sort -n "$TMP/q" | tail -1)
  echo "| $label | $rm | $om | **$(ratio "$om" "$rm")** | $qm ($qlo–$qhi) | $(paste -sd' ' "$TMP/r") | $(paste -sd' ' "$TMP/o") |"
}

# The burst: load the table while the daemon listens, then at once BURST pairs (order flipped, no
# warm-up) of the plain list and of count, every run shown, with the daemon's CPU over the load.
burst_pairs() {
  local label=$1 ref=$2 ours=$3 i a b
  : > "$TMP/r"; : > "$TMP/o"; : > "$TMP/q"
  for i in $(seq "$BURST"); do
    if (( i % 2 )); then a=$(ms "$ref"); b=$(ms "$ours"); else b=$(ms "$ours"); a=$(ms "$ref"); fi
    echo "$a" >> "$TMP/r"; echo "$b" >> "$TMP/o"; ratio "$b" "$a" >> "$TMP/q"; echo >> "$TMP/q"
  done
  echo "| $label | $(median < "$TMP/r") | $(median < "$TMP/o") | **$(ratio "$(median < "$TMP/o")" "$(median < "$TMP/r")")** | $(median < "$TMP/q") ($(sort -n "$TMP/q" | head -1)–$(sort -n "$TMP/q" | tail -1)) | $(paste -sd' ' "$TMP/r") | $(paste -sd' ' "$TMP/o") |"
}
c0=$(cpu); s=$(date +%s%N)
X conntrack -R "$TMP/entries"
e=$(date +%s%N); c1=$(cpu)
echo "table: $(X conntrack -C) entries, loaded by conntrack -R in $(( (e - s) / 1000000 )) ms while the daemon listened;" \
  "daemon CPU during the load: $(( (c1 - c0) * 10 )) ms"
echo
echo "| right after \`conntrack -R\` ($BURST pairs, no warm-up) | conntrack-tools median ms | ftpnatctl median ms | ratio of medians | per-pair ratio: median (range) | conntrack-tools runs | ftpnatctl runs |"
echo "|---|---|---|---|---|---|---|"
burst_pairs "list: \`conntrack -L\` / \`-o conntrack conntrack list\`" ref_list ours_list
burst_pairs "\`conntrack -C\` / \`conntrack count\`" ref_count ours_count
c2=$(cpu)
echo
echo "daemon CPU from the end of the load to the end of the burst pairs (its share of serving the queries included): $(( (c2 - c1) * 10 )) ms"
echo

# Equal work: the two sides of each comparison print the same entries.
lines() { "$1" 2>/dev/null | grep -c . || true; }
echo "equal work: list $(lines ref_list)/$(lines ours_list) lines, filtered $(lines ref_filter)/$(lines ours_filter)," \
  "filtered (all match) $(lines ref_filterall)/$(lines ours_filterall) (conntrack-tools/ftpnatctl);" \
  "xml $(ref_xml 2>/dev/null | grep -o '<flow>' | wc -l) flows, json $(ours_json 2>/dev/null | grep -c '"original"') entries;" \
  "count $(ref_count 2>/dev/null)/$(ours_count 2>/dev/null | tr -dc 0-9)"
echo
echo "| form ($ENTRIES entries; $WARMUP warm-up runs each, $RUNS interleaved pairs) | conntrack-tools median ms | ftpnatctl median ms | ratio of medians | per-pair ratio: median (range) | conntrack-tools runs | ftpnatctl runs |"
echo "|---|---|---|---|---|---|---|"
compare "list: \`conntrack -L\` / \`-o conntrack conntrack list\`" ref_list ours_list
compare "filtered, one match: \`-L -p tcp --dport 21 -s $FILTER_ADDR\` / same filter" ref_filter ours_filter
compare "filtered, all match: \`-L -p tcp --dport 21\` / same filter" ref_filterall ours_filterall
compare "\`conntrack -L -o xml\` / \`-o json conntrack list\`" ref_xml ours_json
compare "\`conntrack -C\` / \`conntrack count\`" ref_count ours_count
compare "\`conntrack -C\` / \`status\` (no twin: cheapest kernel query)" ref_count ours_status
echo
# CPU, not wall: what each side of the plain list costs the machine (load-independent, unlike the
# wall times above on a shared host). conntrack -L: its user+sys; ftpnatctl: its own user+sys plus
# the daemon's CPU over the request (the dump is done by the daemon). RUNS interleaved runs each.
cpu_of() { # cpu_of FN: user+sys ms of one run (children of this shell), output discarded
  local t; t=$( { TIMEFORMAT='%3U %3S'; time "$1" >/dev/null 2>&1; } 2>&1 ); awk -v t="$t" 'BEGIN { split(t, a, " "); printf "%d", (a[1] + a[2]) * 1000 }'
}
: > "$TMP/cr"; : > "$TMP/co"; : > "$TMP/cd"
for i in $(seq "$RUNS"); do
  cpu_of ref_list >> "$TMP/cr"; echo >> "$TMP/cr"
  d0=$(cpu); cpu_of ours_list >> "$TMP/co"; echo >> "$TMP/co"; d1=$(cpu); echo $(( (d1 - d0) * 10 )) >> "$TMP/cd"
done
echo "CPU per plain list (user+sys ms, $RUNS runs): conntrack -L median $(median < "$TMP/cr") ($(paste -sd' ' "$TMP/cr"));" \
  "ftpnatctl median $(median < "$TMP/co") ($(paste -sd' ' "$TMP/co")) + daemon median $(median < "$TMP/cd") ($(paste -sd' ' "$TMP/cd"), 10 ms ticks)"
for i in $(seq "$RUNS"); do ms ours_version; done > "$TMP/v"
echo "ftpnatctl --version (JVM start and command line alone): median $(median < "$TMP/v") ms, runs $(paste -sd' ' "$TMP/v")"
echo "daemon RSS after the lists: $(rss)"
# 50 clients at once, each listing the whole table
s=$(date +%s%N)
pids=()
for i in $(seq "$CLIENTS"); do "${CTL[@]}" -o conntrack conntrack list > "$TMP/c$i.out" 2>/dev/null & pids+=($!); done
peak=0
while kill -0 "${pids[@]}" 2>/dev/null; do
  r=$(awk '/VmRSS/ {print $2}' "/proc/$DAEMON/status"); [ "$r" -gt "$peak" ] && peak=$r; sleep 0.1
done
fail=0; for p in "${pids[@]}"; do wait "$p" || fail=$((fail + 1)); done
e=$(date +%s%N)
ok=0; for i in $(seq "$CLIENTS"); do [ "$(wc -l < "$TMP/c$i.out")" -ge "$ENTRIES" ] && ok=$((ok + 1)); done
echo "$CLIENTS concurrent full lists: $ok complete, $fail failed, $(( (e - s) / 1000000 )) ms in all; daemon peak RSS $((peak / 1024)) MiB, after: $(rss)"
