from typing import Any

from tests.helpers import login_as


def test_dashboard_pages_render_for_an_organiser(client: Any, demo: Any) -> None:
    login_as(client, "organiser")
    for path in [
        "/stats",
        "/stats/report/2019",
        "/stats/counties/1",
        "/stats/export.xlsx",
        "/stats/csv/counties.csv",
    ]:
        r = client.get(path)
        assert r.status_code == 200, (path, r.text[:2000])
    r = client.get("/stats/counties/1")
    import re

    tid = re.search(r"/stats/teachers/(\d+)", r.text).group(1)
    r = client.get(f"/stats/teachers/{tid}")
    assert r.status_code == 200, r.text[:2000]
    open("/tmp/stats_dash.html", "w").write(client.get("/stats").text)
