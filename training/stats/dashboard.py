"""The assembled dashboard: every figure of the statistics page and its JSON, for the filters a principal may use.

Every figure is one GROUP BY (stats/sql.py); Python only arranges the already-aggregated rows. Every reader first
runs `schema.catch_up()` (queued check-in refreshes on PostgreSQL), so the figures are exact at read time."""

# SQL here is assembled only from constant fragments; every value is a bound {} parameter.

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from training import db
from training.core.actor import Actor
from training.programmes.states import ProgrammeKind
from training.stats import schema
from training.stats.access import scope
from training.stats.figures import Filters, roll_up, total, with_rates
from training.stats.sql import (
    breakdown,
    counties,
    programmes,
    sessions_held,
    teachers_by_county,
    teachers_trained,
)


async def _gather(*queries: Any) -> Any:
    """Run independent read queries side by side on PostgreSQL (each takes its own pooled connection); one after
    the other inside a transaction (one connection) and on SQLite."""
    engine = db.current_engine()
    if db.is_sqlite(engine) or engine.current_transaction.get() is not None:
        return [await q for q in queries]
    return await asyncio.gather(*queries)


@dataclass
class Dashboard:
    filters: Filters
    counties: dict[int, dict[str, Any]]
    programmes: dict[int, dict[str, Any]]
    rows: list[dict[str, Any]]  # county × year × programme
    by_county: list[dict[str, Any]]
    by_year: list[dict[str, Any]]
    exchange: list[dict[str, Any]]  # county × year for exchange programmes
    exchange_years: list[int]
    totals: dict[str, Any]
    headline: dict[str, Any]
    sessions_by_programme: dict[int, int] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "filters": self.filters.__dict__,
            "headline": self.headline,
            "totals": self.totals,
            "rows": self.rows,
            "by_county": self.by_county,
            "by_year": self.by_year,
            "exchange": self.exchange,
        }


async def dashboard(filters: Filters, principal: Actor) -> Dashboard:
    filters = scope(filters, principal)
    await schema.catch_up()
    county_dim, programme_dim, rows, teachers, trained, held = await _gather(
        counties(),
        programmes(),
        breakdown(filters),
        teachers_by_county(filters),
        teachers_trained(filters),
        sessions_held(filters),
    )

    def named(row: dict[str, Any]) -> dict[str, Any]:
        county = county_dim.get(row["county"], {})
        programme = programme_dim.get(row["programme"], {})
        return {
            **row,
            "county_name": county.get("name", ""),
            "county_code": county.get("code", ""),
            "programme_name": programme.get("name", ""),
            "programme_kind": programme.get("kind", ""),
        }

    rows = [named(r) for r in rows]
    per_county = roll_up(rows, lambda r: r["county"])
    county_ids = sorted(set(per_county) | set(teachers), key=lambda c: county_dim.get(c, {}).get("code", ""))
    by_county = []
    for cid in county_ids:
        counts = per_county.get(cid) or with_rates(
            {"registered": 0, "confirmed": 0, "attended": 0, "completed": 0, "hours": 0.0}
        )
        t = teachers.get(cid, {"trained": 0, "returned": 0})
        by_county.append(
            {
                "county": cid,
                "county_name": county_dim.get(cid, {}).get("name", ""),
                "county_code": county_dim.get(cid, {}).get("code", ""),
                **counts,
                **t,
            }
        )
    per_year = roll_up(rows, lambda r: r["year"])
    by_year = [{"year": y, **per_year[y]} for y in sorted(per_year)]

    exchange_ids = {pid for pid, p in programme_dim.items() if p["kind"] == ProgrammeKind.EXCHANGE}
    exchange_rows = [r for r in rows if r["programme"] in exchange_ids]
    ex = roll_up(exchange_rows, lambda r: (r["county"], r["year"]))
    exchange = [
        {"county": c, "year": y, "county_name": county_dim.get(c, {}).get("name", ""), **ex[(c, y)]}
        for c, y in sorted(ex, key=lambda k: (county_dim.get(k[0], {}).get("code", ""), k[1]))
    ]
    sessions_by_programme: dict[int, int] = {}
    for h in held:
        sessions_by_programme[h["programme"]] = sessions_by_programme.get(h["programme"], 0) + h["sessions"]
    exchange_years = sorted({h["year"] for h in held if h["programme"] in exchange_ids})
    aided = {cid for cid, c in county_dim.items() if c["aided"]}
    totals = total(rows)
    headline = {
        "sessions_held": sum(sessions_by_programme.values()),
        "sessions_by_programme": {
            programme_dim[p]["slug"]: n
            for p, n in sorted(sessions_by_programme.items())
            if p in programme_dim
        },
        "teachers_trained": trained,
        "aided_counties_reached": len({c for c, t in teachers.items() if t["trained"] > 0} & aided),
        "exchange_years": len(exchange_years),
        "enrollments": totals["registered"],
        "certificates": totals["completed"],
        "hours": totals["hours"],
    }
    return Dashboard(
        filters=filters,
        counties=county_dim,
        programmes=programme_dim,
        rows=rows,
        by_county=by_county,
        by_year=by_year,
        exchange=exchange,
        exchange_years=exchange_years,
        totals=totals,
        headline=headline,
        sessions_by_programme=sessions_by_programme,
    )
