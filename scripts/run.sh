#!/usr/bin/env bash
# Start the action server and Rasa in the background, then the terminal chat
# in the foreground. Ctrl-C (or the chat ending) stops everything started here.
# With --rasa-shell, Rasa's own shell replaces Rasa server + terminal chat.
set -euo pipefail
cd "$(dirname "$0")/.."
umask 077  # every file this creates (stores, logs, keys) is readable by its owner only
mkdir -p var && chmod 700 var
BIN=.venv/bin
set -a; . ./rasa.env; set +a  # nothing sent home, by every process started here
pids=()
stop() {
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop EXIT INT TERM

wait_for() {  # url, name, log file
  for _ in $(seq 1 240); do
    curl -fsS "$1" >/dev/null 2>&1 && return 0
    kill -0 "${pids[-1]}" 2>/dev/null || break
    sleep 0.5
  done
  echo "The $2 server did not start; its log is $3" >&2
  exit 1
}

log_to() { $BIN/python scripts/log_to_file.py "$1"; }  # rotated hourly, kept RETENTION_HOURS
$BIN/rasa run actions --actions actions --port 5055 > >(log_to var/actions.log) 2>&1 &
pids+=($!)
wait_for http://127.0.0.1:5055/health actions var/actions.log

if [ "${1:-}" = "--rasa-shell" ]; then
  $BIN/rasa shell --model models --endpoints endpoints.yml
  exit 0
fi

# RASA_REPLICAS > 1: more Rasa processes on 5006, 5007, ... with Rasa's Redis
# lock store (LOCK_STORE_URL, default redis://127.0.0.1:6379/1); the bot keeps
# each conversation on one.
replicas=${RASA_REPLICAS:-1}
[ "$replicas" -gt 1 ] && export LOCK_STORE_URL=${LOCK_STORE_URL:-redis://127.0.0.1:6379/1}
urls=()
echo "Starting the assistant (about a minute; logs in var/)..."
for n in $(seq 0 $((replicas - 1))); do
  port=$((5005 + n))
  $BIN/rasa run --model models --endpoints endpoints.yml --credentials credentials.yml \
    --interface 127.0.0.1 --port $port > >(log_to var/rasa$port.log) 2>&1 &
  pids+=($!)
  urls+=("http://127.0.0.1:$port")
done
for url in "${urls[@]}"; do wait_for "$url/" rasa "var/rasa${url##*:}.log"; done
RASA_URL=${RASA_URL:-$(IFS=,; echo "${urls[*]}")} $BIN/python -m bot
