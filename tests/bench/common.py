"""Small helpers the benchmark scripts share."""

import json
import statistics
import time


def emit(payload):
    """Print the machine-readable result line run.py collects."""
    print("BENCH_JSON " + json.dumps(payload, default=str), flush=True)


def say(tag, msg):
    print(f"[{tag}] {msg}", flush=True)


def percentile(values, pct):
    """Nearest-rank percentile of a non-empty list."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def summary_ms(seconds):
    values = [s * 1000 for s in seconds]
    return {
        "n": len(values),
        "p50_ms": round(statistics.median(values), 2),
        "p95_ms": round(percentile(values, 95), 2),
        "mean_ms": round(statistics.fmean(values), 2),
    }


class Timer:
    def __enter__(self):
        self.started = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.started
