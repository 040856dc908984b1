#!/bin/sh
# bench/run.sh: end-to-end rate into Maildir (SMTP clients -> Maildir), printed, never asserted.
# Usage: make bench [BENCH_MSGS=2000 BENCH_CLIENTS=20]
set -e
cd "$(dirname "$0")/.."
exec /usr/bin/python3 bench/smtp_maildir.py --msgs "${BENCH_MSGS:-2000}" --clients "${BENCH_CLIENTS:-20}"
