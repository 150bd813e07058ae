"""`warta report`: the HTML page with articles per day and channel and the fill-rate history."""
from __future__ import annotations

from datetime import date, timedelta

from pipeline.snapshot import build
from schedules.history import History
from tests.test_snapshot import article, stage


def test_report_plots_days_channels_and_fill_rates(tmp_path, warta):
    stage(tmp_path, [article(f"R{i:07d}", date(2026, 5, 1) + timedelta(days=i % 3), channel=("nasional", "ekonomi")[i % 2])
                     for i in range(12)])
    build(tmp_path)
    history = History(tmp_path)
    history.start("run-1", "latest", "crawl", "medcom", "log")
    history.finish("run-1", "ok", 0, {"pages": 20, "articles": 12, "fill": {"authors": 0.9, "body": 1.0}},
                   ["fill rate of authors fell to 0.10 (recent median 0.98)"])
    history.close()
    result = warta("report", "--data-dir", str(tmp_path))
    assert result.returncode == 0, result.stderr
    html = (tmp_path / "report.html").read_text()
    assert html.count("<svg") == 3
    assert "2026-05-01: 4" in html and "ekonomi: 6" in html
    assert "fill rate of authors fell" in html and "authors (0.90)" in html
