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


def test_batch_ingestion_is_held_to_fifty_times_rt_mailgates_rate():
    ours = [
        _row("mail", "mailgate --maildir, new tickets (batch, one process)", rate=20.0)
    ]
    rt = [_row("mail", "rt-mailgate, new ticket (process start included)", rate=0.5)]

    [row] = compare(ours, rt)

    assert (row["ratio"], row["target"], row["met"]) == (40.0, 50, False)


def test_the_loader_rate_is_compared_with_the_issues_figure_without_rt():
    [row] = compare(
        [_row("loader", "generate_data, tickets a second", rate=25_000.0)], []
    )

    assert (row["rt"], row["ratio"], row["met"]) == (20_000, 1.25, True)


def test_a_series_stops_at_its_time_budget_once_it_has_enough_samples(monkeypatch):
    import time

    from bench import stats

    monkeypatch.setattr(stats, "BUDGET_S", 0.01)
    samples, _ = stats.time_calls(lambda _: time.sleep(0.005), 100, warmup=0)

    assert len(samples) == stats.MIN_SAMPLES


def test_markdown_lists_the_time_of_each_step():
    meta = {
        "started": "2026-11-23T14:00:00+00:00", "scale": "tiny", "data": "reused",
        "load_start": [1.0, 1.0, 1.0], "seconds": 95.0, "budget_s": 10.0,
        "timings": [("data set: generate_data", 9.0), ("mail: pipe", 59.1)],
        "machine": {
            "nproc": 2, "cpu": "EPYC", "memory_gb": 23.5, "postgresql": "15.20",
            "python": "3.11.7", "kernel": "6", "load_average": [0.5, 0.5, 0.5],
        },
    }  # fmt: skip

    text = markdown(meta, [], [], [])

    assert "| mail: pipe | 59.1 |" in text
    assert "| whole run | 95.0 |" in text
