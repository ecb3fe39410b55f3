#!/usr/bin/env bash
# Starts the web portal, a Celery worker and Celery beat for `make run`.
# Ctrl-C, or any one of them exiting, stops all three.
set -u
VENV=${VENV:-.venv}
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}

pids=()
stop() {
  trap - INT TERM EXIT
  echo "liaison: stopping web, worker and beat"
  kill -TERM "${pids[@]}" 2>/dev/null
  wait 2>/dev/null
}
trap stop INT TERM EXIT

"$VENV/bin/celery" -A liaison worker --loglevel=INFO --concurrency=2 --hostname="worker@%h" &
pids+=($!)
"$VENV/bin/celery" -A liaison beat --loglevel=INFO &
pids+=($!)
"$VENV/bin/python" manage.py runserver --noreload "$HOST:$PORT" &
pids+=($!)

# The first of the three to exit (or a signal) ends the wait; the EXIT trap
# then stops the other two, and make sees the failing program's status.
wait -n
exit $?
