"""Nomination pages. Coordinators (their own county only) and organisers (any county): the cohorts taking
nominations, the county's nominees with their answers and flags, the search of teachers on file with one-click
nomination, the form for a new teacher (only when the search does not find her), withdrawing. Teachers: confirm
or decline from the self-service link."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from training.core.actor import Actor
from training.enrollment import answers, nominations, nominee_answers, nominees, rosters, service
from training.enrollment.rules import ETHNICITIES, SUBJECTS, TITLES
from training.errors import Conflict, Forbidden, NotFound, ValidationFailed
from training.i18n import N_, gettext
from training.programmes.sessions import Session, get_session
from training.programmes.states import RegistrationMode
from training.web.confirm import Confirmation, confirmation_page, is_confirmed
from training.web.forms import FormState, read_form
from training.web.guards import current_principal, organiser_or_coordinator
from training.web.nav import NavItem
from training.web.urls import path_for

SCHOOL_ENDINGS = ("学校", "小学", "中学", "学", "园", "校", "所", "中心")


def _scope(principal: Actor, county: str = "") -> int | None:
    """Coordinators: their county, whatever is asked. Organisers: the county chosen, or every county."""
    if principal.is_coordinator:
        return principal.county_id
    return int(county) if county.isdigit() else None


def _told_text(told: str) -> str:
    channels = {c for c in told.split(",") if c}
    if {"sms", "email"} <= channels:
        return gettext(N_("She has been sent an SMS and an e-mail with her link to confirm or decline."))
    if "sms" in channels:
        return gettext(N_("She has been sent an SMS with her link to confirm or decline."))
    if "email" in channels:
        return gettext(N_("She has been sent an e-mail with her link to confirm or decline."))
    return gettext(
        N_("She could not be told (no e-mail on file and no SMS service): please tell her to confirm on /me.")
    )


async def selection_warnings(session: Session, enrollment_ids: list[int], approve: bool) -> list[str]:
    """What the organiser is told about the ticked nominees before selecting: who is flagged, who has not
    answered. Warnings only: the decision is hers."""
    if session.mode != RegistrationMode.NOMINATION or not enrollment_ids:
        return []
    info = await nominees.nominee_info(session, enrollment_ids)
    names = await nominees.names_of(session, list(info))

    def named(ids: list[int]) -> str:
        shown = [names.get(i, "") for i in ids[:10]]
        return "、".join(shown) + ("…" if len(ids) > 10 else "")

    earlier = [i for i, n in info.items() if n.flags.earlier]
    same_year = [i for i, n in info.items() if n.flags.same_year]
    waiting = [i for i, n in info.items() if not n.answer]
    warnings = []
    if earlier:
        warnings.append(
            gettext(N_("{n} ticked nominees went on an exchange in an earlier year: {names}.")).format(
                n=len(earlier), names=named(earlier)
            )
        )
    if same_year:
        warnings.append(
            gettext(N_("{n} ticked nominees are also in another cohort this year: {names}.")).format(
                n=len(same_year), names=named(same_year)
            )
        )
    if approve and waiting:
        warnings.append(
            gettext(N_("{n} ticked nominees have not confirmed that they will go: {names}.")).format(
                n=len(waiting), names=named(waiting)
            )
        )
    return warnings


@get("/nominations", name="nominations", guards=[organiser_or_coordinator], include_in_schema=False)
async def nominations_page(request: Request[Any, Any, Any]) -> Template:
    principal = current_principal(request)
    sessions = await nominations.nomination_sessions(county_id=_scope(principal))
    return Template(template_name="enrollment/nominations.html", context={"sessions": sessions})


async def _nominate_page(
    principal: Actor,
    session_id: int,
    *,
    query: str = "",
    county: str = "",
    page: int = 1,
    problem: str | None = None,
    status_code: int = 200,
    done: str = "",
    told: str = "",
    enrollment_id: int | None = None,
) -> Template:
    session = await get_session(session_id)
    scope = _scope(principal, county)
    counties = await service.seats_by_county(session)
    choices = [(str(c.id), c.name) for c in counties]
    if principal.is_coordinator:
        counties = [c for c in counties if c.id == principal.county_id]
    rows, _ = await rosters.roster(session_id, rosters.RosterFilter(county_id=_scope(principal)), limit=500)
    just = next((r for r in rows if r.id == enrollment_id), None)
    return Template(
        template_name="enrollment/nominate.html",
        context={
            "session": session,
            "principal": principal,
            "counties": counties,
            "county_choices": choices,
            "county": str(scope) if scope is not None and not principal.is_coordinator else "",
            "rows": rows,
            "asks": bool(await answers.form_questions(session_id, answers.NOMINATION_FORM)),
            "info": await nominees.nominee_info(session, [r.id for r in rows]),
            "found": await nominees.candidates(session, query, county_id=scope, page=page),
            "query": " ".join(query.split())[: nominees.QUERY_MAX],
            "closed": nominations.nomination_problem(session, datetime.now(UTC)),
            "problem": problem or nominations.nomination_problem(session, datetime.now(UTC)),
            "done": done,
            "just": just,
            "told_text": _told_text(told) if done == "nominated" and just else "",
        },
        status_code=status_code,
    )


@get(
    "/nominations/{session_id:int}",
    name="nominate_form",
    guards=[organiser_or_coordinator],
    include_in_schema=False,
)
async def nominate_form(
    request: Request[Any, Any, Any],
    session_id: FromPath[int],
    q: FromQuery[str] = "",
    county: FromQuery[str] = "",
    page: FromQuery[int] = 1,
    done: FromQuery[str] = "",
    told: FromQuery[str] = "",
    e: FromQuery[int] = 0,
) -> Template:
    return await _nominate_page(
        current_principal(request),
        session_id,
        query=q[:100],
        county=county,
        page=page,
        done=done,
        told=told[:20],
        enrollment_id=e or None,
    )


@post(
    "/nominations/{session_id:int}/teacher/{teacher_id:int}",
    name="nominate_existing",
    guards=[organiser_or_coordinator],
    include_in_schema=False,
)
async def nominate_existing(
    request: Request[Any, Any, Any], session_id: FromPath[int], teacher_id: FromPath[int]
) -> Template | Redirect:
    """One click: the teacher picked from the search is nominated with her record as it is (nothing retyped,
    nothing altered). A coordinator may pick only her own county's teachers (403 otherwise)."""
    principal = current_principal(request)
    form = await read_form(request)
    query = str(form.values.get("q") or "")
    county = principal.county_id if principal.is_coordinator else None
    try:
        values = await nominations.values_of_teacher(teacher_id, coordinator_county=county)
        done = await nominations.nominate(
            session_id,
            values,
            coordinator_county=county,
            actor=principal,
            base_url=request.app.state["settings"].base_url,
            picked=teacher_id,
        )
    except ValidationFailed:
        return await _nominate_page(
            principal, session_id, query=query, problem="teacher_record_incomplete", status_code=422
        )
    except (Conflict, Forbidden, NotFound) as exc:
        return await _nominate_page(
            principal, session_id, query=query, problem=exc.code, status_code=exc.status
        )
    return Redirect(
        path=path_for(
            "nominate_form",
            session_id=session_id,
            query={
                "done": "nominated" if done.outcome.created else "existing",
                "told": ",".join(done.channels),
                "e": str(done.outcome.enrollment_id),
                "q": query,
            },
        )
    )


def _prefill(query: str) -> dict[str, str]:
    """The new-teacher form starts from what was searched: a subject, a school or (otherwise) a name."""
    query = " ".join(query.split())[: nominees.QUERY_MAX]
    if not query:
        return {}
    if query in SUBJECTS:
        return {"subject": query}
    if query.endswith(SCHOOL_ENDINGS):
        return {"school": query}
    return {"name": query}


def _new_form(
    session: Session, principal: Actor, form: FormState, problem: str | None, status_code: int = 200
) -> Template:
    return Template(
        template_name="enrollment/nominate_new.html",
        context={
            "session": session,
            "form": form,
            "principal": principal,
            "problem": problem,
            "ethnicities": [(e, e) for e in ETHNICITIES],
            "subjects": [(s, s) for s in SUBJECTS],
            "titles": [(t, t) for t in TITLES],
        },
        status_code=status_code,
    )


async def _new_form_page(
    principal: Actor, session_id: int, form: FormState, problem: str | None = None, status_code: int = 200
) -> Template:
    session = await get_session(session_id)
    template = _new_form(
        session,
        principal,
        form,
        problem or nominations.nomination_problem(session, datetime.now(UTC)),
        status_code,
    )
    counties = await service.seats_by_county(session)
    template.context["county_choices"] = [(str(c.id), c.name) for c in counties]
    template.context["questions"] = await answers.form_questions(session_id, answers.NOMINATION_FORM)
    return template


@get(
    "/nominations/{session_id:int}/new",
    name="nominate_new",
    guards=[organiser_or_coordinator],
    include_in_schema=False,
)
async def nominate_new(
    request: Request[Any, Any, Any], session_id: FromPath[int], q: FromQuery[str] = ""
) -> Template:
    """The form for a teacher not on file, filled with what the search was for."""
    return await _new_form_page(current_principal(request), session_id, FormState(values=_prefill(q)))


@post(
    "/nominations/{session_id:int}",
    name="nominate",
    guards=[organiser_or_coordinator],
    include_in_schema=False,
)
async def nominate_submit(request: Request[Any, Any, Any], session_id: FromPath[int]) -> Template | Redirect:
    principal = current_principal(request)
    form = await read_form(request)
    try:
        if not form.ok:
            raise ValidationFailed(dict(form.errors))
        done = await nominations.nominate(
            session_id,
            form.values,
            coordinator_county=principal.county_id if principal.is_coordinator else None,
            actor=principal,
            base_url=request.app.state["settings"].base_url,
            override_reason="" if principal.is_coordinator else str(form.values.get("override_reason") or ""),
            with_answers=True,
        )
    except ValidationFailed as exc:
        form.errors.update(exc.fields)
        return await _new_form_page(principal, session_id, form, status_code=422)
    except (Conflict, Forbidden) as exc:
        return await _new_form_page(principal, session_id, form, exc.code, status_code=exc.status)
    return Redirect(
        path=path_for(
            "nominate_form",
            session_id=session_id,
            query={
                "done": "nominated" if done.outcome.created else "existing",
                "told": ",".join(done.channels),
                "e": str(done.outcome.enrollment_id),
            },
        )
    )


@post(
    "/nominations/{session_id:int}/withdraw/{enrollment_id:int}",
    name="nomination_withdraw",
    guards=[organiser_or_coordinator],
    include_in_schema=False,
)
async def withdraw_submit(
    request: Request[Any, Any, Any], session_id: FromPath[int], enrollment_id: FromPath[int]
) -> Redirect:
    principal = current_principal(request)
    await nominations.withdraw(
        enrollment_id,
        coordinator_county=principal.county_id if principal.is_coordinator else None,
        actor=principal,
        base_url=request.app.state["settings"].base_url,
    )
    return Redirect(path=path_for("nominate_form", session_id=session_id, query={"done": "withdrawn"}))


# --- the nominee's answer (self-service link) --------------------------------------------------------------------


@post("/me/{token:str}/nomination/accept", name="nominee_accept", include_in_schema=False)
async def nominee_accept(request: Request[Any, Any, Any], token: FromPath[str]) -> Redirect:
    """She goes. Sending it again changes nothing."""
    enrollment_id = service.enrollment_for_link(token)
    await nominee_answers.answer(enrollment_id, True, base_url=request.app.state["settings"].base_url)
    return Redirect(path=path_for("enrollment_status", token=token, query={"notice": "nomination_accepted"}))


@post("/me/{token:str}/nomination/decline", name="nominee_decline", include_in_schema=False)
async def nominee_decline(request: Request[Any, Any, Any], token: FromPath[str]) -> Template | Redirect:
    """She does not go: asked first (what happens), then the enrollment is cancelled and the county's seat freed.
    Sending it again changes nothing."""
    enrollment_id = service.enrollment_for_link(token)
    form = await read_form(request)
    if not is_confirmed(form.values):
        view = await service.view(enrollment_id)
        return confirmation_page(
            Confirmation(
                heading=gettext(N_("Decline the nomination for {title}?")).format(title=view.session.title),
                action=path_for("nominee_decline", token=token),
                button=gettext(N_("Decline the nomination")),
                back=path_for("enrollment_status", token=token),
                facts=[
                    gettext(N_("You will not go on this exchange; your registration is cancelled.")),
                    gettext(
                        N_(
                            "Your county's place becomes free and your coordinator may nominate another teacher."
                        )
                    ),
                ],
                undo=gettext(
                    N_("This cannot be undone from your page: to go after all, ask your coordinator.")
                ),
            )
        )
    await nominee_answers.answer(enrollment_id, False, base_url=request.app.state["settings"].base_url)
    return Redirect(path=path_for("enrollment_status", token=token, query={"notice": "nomination_declined"}))


nomination_handlers: list[Any] = [
    nominations_page,
    nominate_form,
    nominate_new,
    nominate_submit,
    nominate_existing,
    withdraw_submit,
    nominee_accept,
    nominee_decline,
]
nomination_nav = [NavItem(N_("Nominations"), "nominations", ("organiser", "coordinator"), order=31)]
