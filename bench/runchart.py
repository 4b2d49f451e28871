"""Time the chart maker's work for one large chart: 1,000 points in three phases, an XmR
chart with a target, a baseline and screening, analysed and drawn as SVG (both the
wide and the phone drawing, as the page does). Target: under 50 ms.

    .venv/bin/python bench/runchart.py [--repeat 50]

Pure Python (no database). Prints the median and p95 milliseconds of each step and of
the whole, and whether the whole meets the target. The machines are shared: compare
figures within one run.
"""

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from guides.measurement import charts  # noqa: E402
from guides.measurement.runchart import analyse  # noqa: E402

TARGET_MS = 50.0


def series(n: int = 1000) -> list[float]:
    rng = random.Random(14)
    out = []
    for i in range(n):
        level = 50 if i < 400 else 58 if i < 750 else 54
        out.append(round(level + rng.gauss(0, 3) + (15 if i % 97 == 0 else 0), 1))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    values = series()
    labels = [f"Day {i + 1}" for i in range(len(values))]
    steps = {"analyse": [], "draw (wide + phone SVG)": [], "whole": []}
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        analysis = analyse(
            values,
            chart="xmr",
            rebase=[400, 750],
            baseline=100,
            screen=True,
            direction="increase",
            target=60,
        )
        t1 = time.perf_counter()
        for width in (charts.WIDTH, charts.PHONE_WIDTH):
            charts.to_svg(charts.build_scene(analysis, labels, title="Bench", width=width))
        t2 = time.perf_counter()
        steps["analyse"].append((t1 - t0) * 1000)
        steps["draw (wide + phone SVG)"].append((t2 - t1) * 1000)
        steps["whole"].append((t2 - t0) * 1000)
    assert len(analysis.phases) == 3 and analysis.n == 1000
    print(f"1,000 points, 3 phases, {len(analysis.signals)} signals; {args.repeat} runs")
    print(f"{'step':<26} {'median ms':>10} {'p95 ms':>8}")
    for name, times in steps.items():
        times.sort()
        p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
        print(f"{name:<26} {statistics.median(times):>10.1f} {p95:>8.1f}")
    whole = statistics.median(steps["whole"])
    verdict = "meets" if whole < TARGET_MS else "MISSES"
    print(f"whole: median {whole:.1f} ms {verdict} the {TARGET_MS:.0f} ms target")


if __name__ == "__main__":
    main()
