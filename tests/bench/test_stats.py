"""The benchmark's arithmetic: percentiles, summaries and the side-by-side ratios."""

from bench.report import compare, markdown
from bench.stats import Measurement, percentile, summarize


def test_percentile_uses_the_nearest_rank():
    samples = [float(n) for n in range(1, 101)]

    assert (
        percentile(samples, 0.5),
        percentile(samples, 0.9),
        percentile(samples, 0.99),
    ) == (50, 90, 99)


def test_summary_reports_milliseconds_and_rate_over_the_wall_time():
    row = summarize("x", "g", [0.010, 0.020, 0.030], wall_s=0.5)

    assert (row.n, row.median_ms, row.p90_ms, row.throughput) == (3, 20.0, 30.0, 6.0)


def test_summary_without_samples_says_so():
    assert summarize("x", "g", []).notes == ["no samples"]


def _row(group, name, median=None, rate=None):
    return Measurement(name=name, group=group, n=1, median_ms=median, throughput=rate)


def test_latency_ratio_is_rt_median_over_ours():
    ours = [_row("web", "ticket page", median=20.0)]
    rt = [_row("web", "ticket page", median=200.0)]

    [row] = compare(ours, rt)

    assert (row["ratio"], row["target"], row["met"]) == (10.0, 10, True)


def test_rate_ratio_is_our_rate_over_rts_and_a_shortfall_is_flagged():
    ours = [_row("throughput", "ticket page, 4 connections", rate=45.0)]
    rt = [_row("throughput", "ticket page, 4 connections", rate=9.0)]

    [row] = compare(ours, rt)

    assert (row["ratio"], row["met"]) == (5.0, False)


def test_rows_without_an_rt_counterpart_are_not_compared():
    assert compare([_row("web", "ticket page", median=5.0)], []) == []


def test_markdown_names_the_machine_and_the_load():
    meta = {
        "started": "2026-11-23T14:00:00+00:00",
        "scale": "small",
        "data": "10,000 tickets",
        "load_start": [1.0, 1.0, 1.0],
        "machine": {
            "nproc": 2, "cpu": "EPYC", "memory_gb": 23.5, "postgresql": "15.20",
            "python": "3.11.7", "kernel": "6", "load_average": [0.5, 0.5, 0.5],
        },
    }  # fmt: skip

    text = markdown(meta, [_row("web", "ticket page", median=5.0)], [], [])

    assert "2 cores (EPYC), 23.5 GB RAM, PostgreSQL 15.20" in text
    assert "Load average at start [1.0, 1.0, 1.0]" in text
    assert "| web | ticket page | 1 | 5.00 |" in text
