#!/usr/bin/env bash
# The end-to-end benchmark: the upstream directly, nginx as a plain TLS reverse proxy, and Gatehouse with its whole
# pipeline, under the same load, one after another on this machine. Not part of `mvn verify`.
#
#   bench/run.sh                 # everything (about 8 minutes)
#   DURATION=30s bench/run.sh    # longer measurements
#
# Knobs (environment): DURATION (20s), WARMUP (20s: the JIT needs it), CONNECTIONS (64), THREADS (2), IDLE_CONNECTIONS (10000),
# GATEHOUSE_INSTANCES (event-loop verticles, default 2), GATEHOUSE_JAVA_OPTS (JVM flags for the gateway),
# SKIP_BUILD=1 (use the jars already built), ONLY_GATEWAY=1 (only the Gatehouse load rows),
# ONLY_MEMORY=1 (only the gateway's resident memory, idle and holding IDLE_CONNECTIONS).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$ROOT/bench/target/e2e
DURATION=${DURATION:-20s}
WARMUP=${WARMUP:-20s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
IDLE_CONNECTIONS=${IDLE_CONNECTIONS:-10000}
GATEHOUSE_JAVA_OPTS=${GATEHOUSE_JAVA_OPTS:-"-XX:+UseParallelGC -Xms256m -Xmx256m"}
export GATEHOUSE_INSTANCES=${GATEHOUSE_INSTANCES:-2}

UPSTREAM_PORT=18080       # plain HTTP: what both proxies forward to
UPSTREAM_TLS_PORT=18443   # the same upstream over TLS: the ceiling row, and the static JWKS
NGINX_PORT=19443
GATEWAY_PORT=20443

log() { printf '\n== %s\n' "$*" >&2; }

install_tools() {
  local missing=()
  command -v nginx >/dev/null || missing+=(nginx)
  command -v wrk >/dev/null || missing+=(wrk)
  command -v h2load >/dev/null || missing+=(nghttp2-client)
  command -v openssl >/dev/null || missing+=(openssl)
  command -v curl >/dev/null || missing+=(curl)
  if ((${#missing[@]})); then
    log "installing ${missing[*]}"
    local sudo=""
    [[ $(id -u) == 0 ]] || sudo=sudo
    $sudo apt-get update -q
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${missing[@]}"
    # Debian starts the packaged nginx on port 80; the benchmark runs its own instances
    $sudo service nginx stop >/dev/null 2>&1 || true
  fi
}

build() {
  log "building the gateway and the benchmark fixtures"
  (cd "$ROOT" && mvn -B -q -Pbench -pl bench -am package -DskipTests -Dfuzz.skip)
}

PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

wait_for_port() {
  local port=$1 tries=0
  until (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
    tries=$((tries + 1))
    ((tries < 600)) || { echo "nothing listens on port $port" >&2; exit 1; }
    sleep 0.1
  done
}

write_nginx_configs() {
  mkdir -p "$WORK/nginx-upstream" "$WORK/nginx-proxy"
  local tls="ssl_certificate $WORK/server.crt;
    ssl_certificate_key $WORK/server.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_ciphers ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256;
    ssl_conf_command Ciphersuites TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256;
    ssl_prefer_server_ciphers on;"
  cat >"$WORK/nginx-upstream/nginx.conf" <<EOF
worker_processes 1;
worker_rlimit_nofile 19000;
pid $WORK/nginx-upstream/nginx.pid;
error_log $WORK/nginx-upstream/error.log warn;
daemon off;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  client_body_temp_path $WORK/nginx-upstream;
  proxy_temp_path $WORK/nginx-upstream;
  fastcgi_temp_path $WORK/nginx-upstream;
  uwsgi_temp_path $WORK/nginx-upstream;
  scgi_temp_path $WORK/nginx-upstream;
  server {
    listen 127.0.0.1:$UPSTREAM_PORT;
    listen 127.0.0.1:$UPSTREAM_TLS_PORT ssl http2;
    $tls
    location = /jwks.json { default_type application/json; alias $WORK/jwks.json; }
    location / { default_type text/plain; return 200 "hello from the upstream\n"; }
  }
}
EOF
  cat >"$WORK/nginx-proxy/nginx.conf" <<EOF
worker_processes auto;
worker_rlimit_nofile 19000;
pid $WORK/nginx-proxy/nginx.pid;
error_log $WORK/nginx-proxy/error.log warn;
daemon off;
events { worker_connections 15000; }
http {
  # on, like the gateway's; buffered, which is the cheaper way nginx offers
  access_log $WORK/nginx-proxy/access.log combined buffer=64k flush=1s;
  keepalive_requests 1000000;
  keepalive_timeout 1h;
  client_body_temp_path $WORK/nginx-proxy;
  proxy_temp_path $WORK/nginx-proxy;
  fastcgi_temp_path $WORK/nginx-proxy;
  uwsgi_temp_path $WORK/nginx-proxy;
  scgi_temp_path $WORK/nginx-proxy;
  upstream app { server 127.0.0.1:$UPSTREAM_PORT; keepalive 128; }
  server {
    listen 127.0.0.1:$NGINX_PORT ssl http2;
    $tls
    location / {
      proxy_pass http://app;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
    }
  }
}
EOF
}

start_nginx() { # name
  nginx -c "$WORK/$1/nginx.conf" -p "$WORK/$1" 2>>"$WORK/$1/error.log" &
  PIDS+=($!)
}

GATEWAY_PID=""
start_gateway() {
  # shellcheck disable=SC2086
  java $GATEHOUSE_JAVA_OPTS -jar "$ROOT/gateway/target/gatehouse.jar" run --config "$WORK/gatehouse.yaml" \
    >"$WORK/gateway.out" 2>>"$WORK/gateway.err" &
  GATEWAY_PID=$!
  PIDS+=("$GATEWAY_PID")
  wait_for_port "$GATEWAY_PORT"
}

stop_gateway() {
  kill "$GATEWAY_PID"
  wait "$GATEWAY_PID" 2>/dev/null || true
}

check_answers() { # name url: the request must be allowed end to end, or the figures mean nothing
  local status
  status=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$WORK/ca.crt" -H "Authorization: Bearer $TOKEN" "$2")
  [[ $status == 200 ]] || { echo "$1 answered $status instead of 200 for $2" >&2; exit 1; }
}

to_ms() { # wrk's "1.23ms" / "456.78us" / "1.02s" -> milliseconds
  awk -v v="$1" 'BEGIN {
    n = v + 0
    if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n = n; else if (v ~ /s$/) n *= 1000
    printf "%.2f", n }'
}

RESULTS=()
measure() { # name url [wrk args...]
  local name=$1 url=$2
  shift 2
  log "$name: warm-up $WARMUP, then $DURATION with $CONNECTIONS connections"
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" -H "Authorization: Bearer $TOKEN" "$@" "$url" >/dev/null
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -H "Authorization: Bearer $TOKEN" "$@" "$url" \
    | tee "$WORK/wrk-$name.txt" >&2
  if grep -q "Non-2xx" "$WORK/wrk-$name.txt"; then
    echo "$name: some answers were not 2xx; the figures are not comparable" >&2
    exit 1
  fi
  local rps p50 p99
  rps=$(awk '/^Requests\/sec/ {print $2}' "$WORK/wrk-$name.txt")
  p50=$(to_ms "$(awk '$1 == "50%" {print $2}' "$WORK/wrk-$name.txt")")
  p99=$(to_ms "$(awk '$1 == "99%" {print $2}' "$WORK/wrk-$name.txt")")
  RESULTS+=("$name $rps $p50 $p99")
}

handshakes() { # name port: full TLS handshakes per second (openssl s_time -new never resumes a session)
  local name=$1 port=$2 clients=4 i
  log "$name: full TLS handshakes, $clients parallel openssl s_time -new clients for $DURATION"
  local seconds=${DURATION%s}
  for ((i = 0; i < clients; i++)); do
    openssl s_time -connect "localhost:$port" -new -time "$seconds" -CAfile "$WORK/ca.crt" \
      >"$WORK/handshakes-$name-$i.txt" 2>&1 &
  done
  wait_for_children "$clients"
  # "571 connections in 6 real seconds": the real-time line of each client, summed
  awk '/connections in [0-9.]+ real seconds/ {rate += $1 / $4} END {printf "%.0f", rate}' "$WORK"/handshakes-"$name"-*.txt
}

resumed() { # name url: new connections per second when the client may resume its TLS session (wrk does)
  local name=$1 url=$2
  log "$name: new connection per request, sessions resumed (wrk, Connection: close)"
  wrk -t"$THREADS" -c32 -d"$DURATION" -H "Connection: close" -H "Authorization: Bearer $TOKEN" "$url" \
    | tee "$WORK/resumed-$name.txt" >&2
  awk '/^Requests\/sec/ {print $2}' "$WORK/resumed-$name.txt"
}

h2() { # name url: HTTP/2 throughput
  local name=$1 url=$2
  log "$name: HTTP/2 with h2load"
  h2load -n 20000 -c 8 -m 10 -t "$THREADS" -H "authorization: Bearer $TOKEN" "$url" >/dev/null
  h2load -n 100000 -c 16 -m 10 -t "$THREADS" -H "authorization: Bearer $TOKEN" "$url" | tee "$WORK/h2-$name.txt" >&2
  if ! grep -q "status codes: 100000 2xx" "$WORK/h2-$name.txt"; then
    echo "$name: some HTTP/2 answers were not 2xx" >&2
    exit 1
  fi
  awk '/^finished in/ {print $4}' "$WORK/h2-$name.txt"
}

wait_for_children() { # count: wait for the last COUNT background jobs (s_time clients)
  local pids
  mapfile -t pids < <(jobs -p | tail -n "$1")
  for pid in "${pids[@]}"; do wait "$pid" || true; done
}

rss_mb() { awk '/^VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$1/status"; }

idle_connections() { # pid port: resident memory of pid with IDLE_CONNECTIONS open idle TLS connections
  local pid=$1 port=$2 line
  coproc HOLD { java -cp "$ROOT/bench/target/benchmarks.jar" dev.gatehouse.bench.IdleConnections 127.0.0.1 "$port" \
    "$IDLE_CONNECTIONS" "$WORK/ca.crt"; }
  read -r line <&"${HOLD[0]}"
  echo "$line" >&2
  [[ $line == "open $IDLE_CONNECTIONS failed 0" ]] || { echo "could not open $IDLE_CONNECTIONS connections" >&2; exit 1; }
  sleep 2 # let the server settle after the handshake burst before reading its memory
  rss_mb "$pid"
  local hold_pid=$HOLD_PID
  exec {HOLD[1]}>&-
  wait "$hold_pid" 2>/dev/null || true
}

main() {
  install_tools
  [[ ${SKIP_BUILD:-} ]] || build
  ulimit -n "$(ulimit -Hn)" # 10,000 idle connections need as many descriptors on each side
  rm -rf "$WORK"
  mkdir -p "$WORK"
  java -cp "$ROOT/bench/target/benchmarks.jar" dev.gatehouse.bench.Fixtures "$WORK" "$GATEWAY_PORT" "$UPSTREAM_PORT" \
    "$UPSTREAM_TLS_PORT"
  chmod -R a+rX "$WORK"
  TOKEN=$(cat "$WORK/token")
  PATH_UNDER_TEST=/billing/tenants/acme/invoices/42 # Fixtures.PATH: needs the billing permission, recent MFA, the tenant
  write_nginx_configs

  start_nginx nginx-upstream
  wait_for_port "$UPSTREAM_PORT"
  wait_for_port "$UPSTREAM_TLS_PORT"
  start_nginx nginx-proxy
  wait_for_port "$NGINX_PORT"
  start_gateway
  if [[ ${ONLY_MEMORY:-} ]]; then
    check_answers gatehouse "https://localhost:$GATEWAY_PORT$PATH_UNDER_TEST"
    echo "Gatehouse resident memory: $(rss_mb "$GATEWAY_PID") MB idle after start, $(idle_connections "$GATEWAY_PID" \
      "$GATEWAY_PORT") MB holding $IDLE_CONNECTIONS idle TLS connections."
    return
  fi
  local direct="https://localhost:$UPSTREAM_TLS_PORT$PATH_UNDER_TEST"
  local nginx="https://localhost:$NGINX_PORT$PATH_UNDER_TEST"
  local gateway="https://localhost:$GATEWAY_PORT$PATH_UNDER_TEST"
  check_answers upstream "$direct"
  check_answers nginx "$nginx"
  check_answers gatehouse "$gateway"
  local idle_rss
  idle_rss=$(rss_mb "$GATEWAY_PID")

  if [[ -z ${ONLY_GATEWAY:-} ]]; then
    measure upstream "$direct"
    measure nginx "$nginx"
  fi
  measure gatehouse "$gateway"

  measure gatehouse-public "https://localhost:$GATEWAY_PORT/public/status"
  if [[ ${ONLY_GATEWAY:-} ]]; then
    printf '%s\n' "${RESULTS[@]}"
    return
  fi

  local hs_nginx hs_gateway rs_nginx rs_gateway h2_direct h2_nginx h2_gateway
  hs_nginx=$(handshakes nginx "$NGINX_PORT")
  hs_gateway=$(handshakes gatehouse "$GATEWAY_PORT")
  rs_nginx=$(resumed nginx "$nginx")
  rs_gateway=$(resumed gatehouse "$gateway")
  h2_direct=$(h2 upstream "$direct")
  h2_nginx=$(h2 nginx "$nginx")
  h2_gateway=$(h2 gatehouse "$gateway")
  local sign_rate
  sign_rate=$(openssl speed -seconds 3 rsa4096 2>/dev/null | awk '/^rsa 4096 bits/ {print $6}')

  # memory on a fresh gateway: idle, then holding the idle TLS connections
  stop_gateway
  start_gateway
  check_answers gatehouse "$gateway"
  local fresh_rss held_rss
  fresh_rss=$(rss_mb "$GATEWAY_PID")
  held_rss=$(idle_connections "$GATEWAY_PID" "$GATEWAY_PORT")

  report "$idle_rss" "$fresh_rss" "$held_rss" "$hs_nginx" "$hs_gateway" "$sign_rate" "$h2_direct" "$h2_nginx" \
    "$h2_gateway" "$rs_nginx" "$rs_gateway" | tee "$WORK/results.md"
}

report() {
  local idle_rss=$1 fresh_rss=$2 held_rss=$3 hs_nginx=$4 hs_gateway=$5 sign_rate=$6 h2_direct=$7 h2_nginx=$8
  local h2_gateway=$9 rs_nginx=${10} rs_gateway=${11}
  local upstream_rps nginx_rps row
  for row in "${RESULTS[@]}"; do
    read -r name rps _ _ <<<"$row"
    [[ $name == upstream ]] && upstream_rps=$rps
    [[ $name == nginx ]] && nginx_rps=$rps
  done
  local cores
  cores=$(nproc)
  echo
  echo "# Gatehouse end-to-end benchmark, $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "Machine: $cores cores ($(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)), $(uname -r);" \
    "$(java -version 2>&1 | head -1); $(nginx -v 2>&1 | sed 's/.*: //'); wrk over HTTPS (TLS 1.3, RSA-4096)," \
    "keep-alive, $THREADS threads, $CONNECTIONS connections, $DURATION after a $WARMUP warm-up;" \
    "gateway: $GATEHOUSE_INSTANCES event loops, JVM $GATEHOUSE_JAVA_OPTS. Everything shares the same cores."
  echo
  echo "| row | requests/s | p50 ms | p99 ms | vs nginx | vs upstream |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: |"
  for row in "${RESULTS[@]}"; do
    read -r name rps p50 p99 <<<"$row"
    printf '| %s | %.0f | %s | %s | %.2f | %.2f |\n' "$name" "$rps" "$p50" "$p99" \
      "$(awk -v a="$rps" -v b="$nginx_rps" 'BEGIN {print a / b}')" \
      "$(awk -v a="$rps" -v b="$upstream_rps" 'BEGIN {print a / b}')"
  done
  echo
  echo "Rows: upstream = nginx answering directly over TLS (the ceiling); nginx = nginx as a TLS reverse proxy to it;"
  echo "gatehouse = the whole pipeline on $PATH_UNDER_TEST (RS256 token, permission + recent MFA + tenant"
  echo "binding among 121 routes, ES256 identity assertion, access log); gatehouse-public = a public route of the same"
  echo "gateway (no token, no assertion; TLS, routing, proxying and the access log only)."
  echo
  echo "| measure | nginx | gatehouse |"
  echo "| --- | ---: | ---: |"
  printf '| full TLS handshakes/s (openssl s_time -new, 4 clients) | %.0f | %.0f |\n' "$hs_nginx" "$hs_gateway"
  printf '| new connections/s with session resumption (wrk, Connection: close) | %.0f | %.0f |\n' "$rs_nginx" \
    "$rs_gateway"
  printf '| HTTP/2 requests/s (h2load, 16 connections x 10 streams; upstream direct: %.0f) | %.0f | %.0f |\n' \
    "$h2_direct" "$h2_nginx" "$h2_gateway"
  echo
  printf 'RSA-4096 signatures/s, one core (openssl speed): %.0f; times %d cores: %.0f. Gatehouse handshakes reach %.0f%% of that bound, nginx %.0f%%.\n' \
    "$sign_rate" "$cores" "$(awk -v s="$sign_rate" -v c="$cores" 'BEGIN {print s * c}')" \
    "$(awk -v h="$hs_gateway" -v s="$sign_rate" -v c="$cores" 'BEGIN {print 100 * h / (s * c)}')" \
    "$(awk -v h="$hs_nginx" -v s="$sign_rate" -v c="$cores" 'BEGIN {print 100 * h / (s * c)}')"
  echo
  echo "Gatehouse resident memory: ${fresh_rss} MB idle after start, ${held_rss} MB holding $IDLE_CONNECTIONS idle TLS" \
    "connections (${idle_rss} MB before the load runs)."
}

main "$@"
