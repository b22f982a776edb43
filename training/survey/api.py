"""The survey's results as JSON: /api/v1/surveys/{id}/results (organisers only). The same figures as the
results page: counts per question, the mean of each rating, the per-county rows (small counties of an anonymous
survey suppressed) and the free-text answers."""

from __future__ import annotations

from typing import Any

from litestar import get
from litestar.params import FromPath

from training.survey import service
from training.web.guards import organiser_only


@get("/api/v1/surveys/{survey_id:int}/results", name="api_survey_results", guards=[organiser_only])
async def api_results(survey_id: FromPath[int]) -> dict[str, Any]:
    """A survey's results: response rate, per question and per county."""
    r = await service.results(survey_id)
    return {
        "survey": r.survey.id,
        "session": r.session.id,
        "anonymous": r.survey.anonymous,
        "status": str(r.survey.status),
        "opens_at": r.survey.opens_at.isoformat(),
        "responses": r.responses,
        "invited": r.invited,
        "response_rate_percent": r.rate,
        "questions": [
            {
                "id": q.question.id,
                "kind": str(q.question.kind),
                "prompt": q.question.prompt,
                "required": q.question.required,
                "answered": q.answered,
                "labels": q.labels,
                "counts": q.counts,
                "mean": q.mean,
                "texts": q.texts,
            }
            for q in r.per_question
        ],
        "counties": [
            {
                "county": c.county or None,
                "merged_counties": c.merged,
                "responses": c.responses,
                "means": c.means,
            }
            for c in r.counties
        ],
    }


route_handlers: list[Any] = [api_results]
