"""Organiser pages for counties and schools: list, add, edit, import the county list from CSV."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from litestar import Request, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from training.errors import DomainError
from training.i18n import N_
from training.people import places
from training.people.api import route_handlers as api_handlers
from training.people.teachers_web import teacher_handlers, teacher_nav
from training.rendering.labels import choices
from training.web.forms import FormState, read_form
from training.web.guards import current_principal, organiser_only
from training.web.nav import NavItem
from training.web.urls import path_for

Req = Request[Any, Any, Any]


def _show(form: FormState, exc: DomainError) -> str | None:
    for name, code in exc.fields.items():
        form.error(name, code, **exc.params)
    return None if exc.fields and exc.code == "validation_failed" else exc.code


def _county_draft(form: FormState) -> places.CountyDraft:
    return places.CountyDraft(
        code=form.text("code", required=True, max_length=6),
        name=form.text("name", required=True, max_length=64),
        province=form.text("province", max_length=32),
        prefecture=form.text("prefecture", max_length=64),
        name_en=form.text("name_en", max_length=64),
        aided=bool(form.values.get("aided")),
    )


async def _counties_page(
    *,
    form: FormState | None = None,
    import_form: FormState | None = None,
    alert: str | None = None,
    done: str = "",
    query: str = "",
    status: int = 200,
    result: places.ImportResult | None = None,
    problems: list[dict[str, Any]] | None = None,
) -> Template:
    page = await places.list_counties(query=query, limit=1000)
    return Template(
        template_name="people/counties.html",
        context={
            "counties": page.items,
            "total": page.total,
            "form": form or FormState(values={"aided": "on"}),
            "import_form": import_form or FormState(),
            "alert": alert,
            "done": done,
            "query": query,
            "result": result,
            "problems": problems or [],
        },
        status_code=status,
    )


@get("/admin/counties", name="counties", guards=[organiser_only], include_in_schema=False)
async def counties_page(q: FromQuery[str] = "", done: FromQuery[str] = "") -> Template:
    return await _counties_page(query=q.strip()[:64], done=done)


@post("/admin/counties", name="county_create", guards=[organiser_only], include_in_schema=False)
async def county_create(request: Req) -> Template | Redirect:
    form = await read_form(request)
    draft = _county_draft(form)
    if form.ok:
        try:
            await places.create_county(current_principal(request), draft)
        except DomainError as exc:
            return await _counties_page(form=form, alert=_show(form, exc), status=400)
        return Redirect(path=path_for("counties", query={"done": "saved"}))
    return await _counties_page(form=form, status=400)


@post("/admin/counties/import", name="county_import", guards=[organiser_only], include_in_schema=False)
async def county_import(request: Req) -> Template:
    form_data = await request.form()
    upload = form_data.get("file")
    import_form = FormState()
    data: bytes = b""
    if isinstance(upload, UploadFile):
        data = await upload.read()
    if not data.strip():
        import_form.error("file", "required")
        return await _counties_page(import_form=import_form, status=400)
    try:
        result = await places.import_counties(current_principal(request), data)
    except DomainError as exc:
        _show(import_form, exc)
        return await _counties_page(
            import_form=import_form, problems=exc.params.get("problems", []), status=400
        )
    return await _counties_page(done="imported", result=result)


async def _county_detail(
    county_id: int,
    *,
    form: FormState | None = None,
    school_form: FormState | None = None,
    alert: str | None = None,
    done: str = "",
    status: int = 200,
) -> Template:
    county = await places.get_county(county_id)
    schools = (await places.list_schools(county_id=county_id, limit=1000)).items
    values = {
        k: ("on" if v is True else "" if v is False else str(v or "")) for k, v in asdict(county).items()
    }
    return Template(
        template_name="people/county.html",
        context={
            "county": county,
            "schools": schools,
            "form": form or FormState(values=values),
            "school_form": school_form or FormState(values={"level": "primary"}),
            "level_options": choices("school_level"),
            "alert": alert,
            "done": done,
        },
        status_code=status,
    )


@get(
    "/admin/counties/{county_id:int}", name="county_detail", guards=[organiser_only], include_in_schema=False
)
async def county_detail(county_id: FromPath[int], done: FromQuery[str] = "") -> Template:
    return await _county_detail(county_id, done=done)


@post(
    "/admin/counties/{county_id:int}", name="county_update", guards=[organiser_only], include_in_schema=False
)
async def county_update(request: Req, county_id: FromPath[int]) -> Template | Redirect:
    form = await read_form(request)
    draft = _county_draft(form)
    if form.ok:
        try:
            await places.update_county(current_principal(request), county_id, draft)
        except DomainError as exc:
            return await _county_detail(county_id, form=form, alert=_show(form, exc), status=400)
        return Redirect(path=path_for("county_detail", county_id=county_id, query={"done": "saved"}))
    return await _county_detail(county_id, form=form, status=400)


def _school_draft(form: FormState, county_id: int) -> places.SchoolDraft:
    return places.SchoolDraft(
        county_id=county_id,
        name=form.text("name", required=True, max_length=128),
        level=form.choice("level", places.SCHOOL_LEVELS),
    )


@post(
    "/admin/counties/{county_id:int}/schools",
    name="school_create",
    guards=[organiser_only],
    include_in_schema=False,
)
async def school_create(request: Req, county_id: FromPath[int]) -> Template | Redirect:
    form = await read_form(request)
    draft = _school_draft(form, county_id)
    if form.ok:
        try:
            await places.create_school(current_principal(request), draft)
        except DomainError as exc:
            return await _county_detail(county_id, school_form=form, alert=_show(form, exc), status=400)
        return Redirect(path=path_for("county_detail", county_id=county_id, query={"done": "school_added"}))
    return await _county_detail(county_id, school_form=form, status=400)


async def _school_page(
    school: places.SchoolRecord, form: FormState, alert: str | None = None, status: int = 200
) -> Template:
    counties = (await places.list_counties(limit=1000)).items
    return Template(
        template_name="people/school_form.html",
        context={
            "school": school,
            "form": form,
            "alert": alert,
            "county_options": [(str(c.id), f"{c.name} ({c.code})") for c in counties],
            "level_options": choices("school_level"),
        },
        status_code=status,
    )


@get(
    "/admin/schools/{school_id:int}/edit",
    name="school_edit",
    guards=[organiser_only],
    include_in_schema=False,
)
async def school_edit(school_id: FromPath[int]) -> Template:
    school = await places.get_school(school_id)
    values = {"name": school.name, "level": school.level, "county_id": str(school.county)}
    return await _school_page(school, FormState(values=values))


@post(
    "/admin/schools/{school_id:int}/edit",
    name="school_update",
    guards=[organiser_only],
    include_in_schema=False,
)
async def school_update(request: Req, school_id: FromPath[int]) -> Template | Redirect:
    school = await places.get_school(school_id)
    form = await read_form(request)
    county_id = form.integer("county_id", required=True, low=1)
    draft = _school_draft(form, county_id or 0)
    if form.ok:
        try:
            await places.update_school(current_principal(request), school_id, draft)
        except DomainError as exc:
            return await _school_page(school, form, _show(form, exc), 400)
        return Redirect(path=path_for("county_detail", county_id=draft.county_id, query={"done": "saved"}))
    return await _school_page(school, form, None, 400)


route_handlers: list[Any] = [
    counties_page,
    county_create,
    county_import,
    county_detail,
    county_update,
    school_create,
    school_edit,
    school_update,
    *api_handlers,
    *teacher_handlers,
]
nav_items = [NavItem(N_("Counties"), "counties", ("organiser",), order=20), *teacher_nav]
