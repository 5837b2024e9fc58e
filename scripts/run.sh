#!/usr/bin/env bash
# Start the action server and Rasa in the background, then the terminal chat
# in the foreground. Ctrl-C (or the chat ending) stops everything started here.
# With --rasa-shell, Rasa's own shell replaces Rasa server + terminal chat.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p var
BIN=.venv/bin
pids=()
stop() {
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop EXIT INT TERM

wait_for() {  # url, name
  for _ in $(seq 1 240); do
    curl -fsS "$1" >/dev/null 2>&1 && return 0
    kill -0 "${pids[-1]}" 2>/dev/null || break
    sleep 0.5
  done
  echo "The $2 server did not start; its log is var/$2.log" >&2
  exit 1
}

$BIN/rasa run actions --actions actions --port 5055 >var/actions.log 2>&1 &
pids+=($!)
wait_for http://127.0.0.1:5055/health actions

if [ "${1:-}" = "--rasa-shell" ]; then
  $BIN/rasa shell --model models --endpoints endpoints.yml
  exit 0
fi

$BIN/rasa run --model models --endpoints endpoints.yml --credentials credentials.yml \
  --interface 127.0.0.1 --port 5005 >var/rasa.log 2>&1 &
pids+=($!)
echo "Starting the assistant (about a minute; logs in var/)..."
wait_for http://127.0.0.1:5005/ rasa
RASA_URL=${RASA_URL:-http://127.0.0.1:5005} $BIN/python -m bot
