"""Runs one Lambda handler in this fresh process, the way the Lambda runtime would, and reports timings.

    python bench/handlers/invoke.py MODULE_DIR MODULE EVENT_JSON REPORT_FD CALLS

Imports MODULE from MODULE_DIR (the init phase), calls its `handler` with the event once and writes
"ready <status>" to the file descriptor REPORT_FD as soon as the answer is back (the parent times the
cold start up to that line), then calls it CALLS more times (at least 100, or none) and writes one
JSON line with the per-call latencies' p50 and p99 in microseconds. stdout is left to the handler (its
logs).
"""

import json
import os
import statistics
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
    if len(latencies) >= 100:
        centiles = statistics.quantiles(latencies, n=100)
        figures = {"calls": len(latencies), "p50_us": centiles[49] / 1000, "p99_us": centiles[98] / 1000}
        report.write(json.dumps(figures) + "\n")
    report.close()


if __name__ == "__main__":
    main()
