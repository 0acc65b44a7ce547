"""Lambda handlers measured against the scoring function by bench/bench_serving.py, and their runner."""
