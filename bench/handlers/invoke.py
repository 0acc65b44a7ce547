"""Runs one Lambda handler in this fresh process, the way the Lambda runtime would, and reports timings.

    python bench/handlers/invoke.py MODULE_DIR MODULE EVENT_JSON REPORT_FD CALLS

Imports MODULE from MODULE_DIR (the init phase), calls its `handler` with the event once and writes
"ready <status>" to the file descriptor REPORT_FD as soon as the answer is back (the parent times the
cold start up to that line), then calls it CALLS more times and writes one JSON line: the list of the
per-call latencies in nanoseconds. stdout is left to the handler (its logs).
"""

import json
import os
import sys
import time


def main() -> None:
    module_dir, module_name, event_path, report_fd, calls = sys.argv[1:6]
    with open(event_path, encoding="utf-8") as file:
        event = json.load(file)
    sys.path.insert(0, module_dir)
    handler = __import__(module_name).handler
    report = os.fdopen(int(report_fd), "w", buffering=1)
    report.write(f"ready {handler(event, None)['statusCode']}\n")
    latencies = []
    for _ in range(int(calls)):
        started = time.perf_counter_ns()
        status = handler(event, None)["statusCode"]
        latencies.append(time.perf_counter_ns() - started)
        if status != 200:
            raise SystemExit(f"{module_name}: status {status} during the warm calls")
    report.write(json.dumps(latencies) + "\n")
    report.close()


if __name__ == "__main__":
    main()
