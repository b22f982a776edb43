"""The teacher's own details from her self-service link (/me/{token}/profile): school, subject and title change at
once; a new phone or e-mail only after the code sent to it is entered; a pending change that a registration
proposed is applied by her link or by a code sent to the contact on file (docs/people.md)."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from training import db
from training.core.phones import is_valid_mobile, normalize_mobile
from training.enrollment import service
from training.enrollment.tables import Enrollment
from training.errors import DomainError, NotFound, RateLimited
from training.people import codes, requests
from training.people.changes import IDENTITY
from training.people.fields import EMAIL_MAX, EMAIL_PATTERN, SCHOOL_MAX, SUBJECTS, TITLES
from training.people.states import ChangeRequestStatus, CodePurpose, DecidedVia
from training.web.forms import FormState, read_form
from training.web.urls import path_for

Req = Request[Any, Any, Any]


def _settings(request: Req) -> Any:
    return request.app.state["settings"]


async def _teacher_of(token: str) -> tuple[int, int]:
    """(enrollment id, teacher id) behind a self-service link."""
    enrollment_id = service.enrollment_for_link(token)
    row = await Enrollment.select(Enrollment.teacher).where(Enrollment.id == enrollment_id).first()
    if row is None:
        raise NotFound()
    return enrollment_id, int(row["teacher"])


async def _page(
    token: str,
    settings: Any,
    *,
    form: FormState | None = None,
    notice: str = "",
    problem: str = "",
    code_errors: dict[int, str] | None = None,
    status: int = 200,
) -> Template:
    enrollment_id, teacher_id = await _teacher_of(token)
    row = await requests.teacher_row(teacher_id)
    unproven = await requests.unproven_enrollment(enrollment_id)
    pending = await requests.list_requests(teacher_id=teacher_id)
    if unproven:  # this link may only see and prove what its own submission proposed
        pending = [p for p in pending if p.enrollment_id == enrollment_id]
    values = {
        "phone": "",
        "email": "",
        "school_name": row["school_name"],
        "subject": row["subject"],
        "title": row["title"],
    }
    return Template(
        template_name="enrollment/profile.html",
        context={
            "token": token,
            "teacher": row,
            "email_masked": requests.shown_value("email", row["email"]),
            "unproven": unproven,
            "pending": pending,
            "identity_fields": IDENTITY,
            "open_codes": await codes.open_codes(teacher_id, tuple(CodePurpose)),
            "code_errors": code_errors or {},
            "form": form or FormState(values=values),
            "subjects": [(s, s) for s in SUBJECTS],
            "titles": [(t, t) for t in TITLES],
            "sms": codes.sms_available(settings),
            "notice": notice,
            "problem": problem,
        },
        status_code=status,
    )


@get("/me/{token:str}/profile", name="teacher_profile", include_in_schema=False)
async def profile_page(request: Req, token: FromPath[str], notice: FromQuery[str] = "") -> Template:
    return await _page(token, _settings(request), notice=notice[:32])


def _check(form: FormState) -> dict[str, str]:
    """The fields she changed, validated (errors go to the form)."""
    wanted: dict[str, str] = {}
    phone = form.get("phone").strip()
    if phone:
        if not is_valid_mobile(phone):
            form.error("phone", "mobile_invalid")
        else:
            wanted["phone"] = normalize_mobile(phone)
    email = form.get("email").strip()
    if email:
        if len(email) > EMAIL_MAX or not EMAIL_PATTERN.match(email):
            form.error("email", "email_invalid")
        else:
            wanted["email"] = email
    school = " ".join(form.get("school_name").split())
    if not school:
        form.error("school_name", "required")
    elif len(school) > SCHOOL_MAX:
        form.error("school_name", "too_long", max=SCHOOL_MAX)
    wanted["school_name"] = school
    for name, options in (("subject", SUBJECTS), ("title", TITLES)):
        value = form.get(name).strip()
        if value not in options:
            form.error(name, "required" if not value else "invalid_choice")
        wanted[name] = value
    return wanted


@post("/me/{token:str}/profile", name="teacher_profile_save", include_in_schema=False)
async def profile_save(request: Req, token: FromPath[str]) -> Template | Redirect:
    enrollment_id, teacher_id = await _teacher_of(token)
    if await requests.unproven_enrollment(enrollment_id):
        return await _page(token, _settings(request), problem="link_not_proven", status=403)
    form = await read_form(request)
    wanted = _check(form)
    if not form.ok:
        return await _page(token, _settings(request), form=form, status=422)
    row = await requests.teacher_row(teacher_id)
    on_file = requests.plain_record(row)
    # Work details take effect at once (audited); a new contact waits for the code sent to it.
    work = {k: v for k, v in wanted.items() if k not in ("phone", "email")}
    async with db.transaction():
        changed = await requests.write_fields(teacher_id, work, actor=None, via="self_service")
    sent = 0
    for name in ("email", "phone"):
        value = wanted.get(name)
        if not value or value == on_file.get(name):
            continue
        try:
            await codes.send(
                teacher_id,
                name,
                email=value if name == "email" else "",
                phone=value if name == "phone" else "",
                new_value=value,
                sms=codes.sms_available(_settings(request)),
            )
        except RateLimited:
            form.error(name, "rate_limited")
        except DomainError as exc:
            form.error(name, exc.code)
        else:
            sent += 1
    if not form.ok:
        return await _page(token, _settings(request), form=form, status=422)
    notice = "code_sent" if sent else "saved" if changed else "unchanged"
    return Redirect(path=path_for("teacher_profile", token=token, query={"notice": notice}))


@post("/me/{token:str}/profile/code", name="teacher_profile_code", include_in_schema=False)
async def profile_code(request: Req, token: FromPath[str]) -> Template | Redirect:
    """Enter a code: a new phone/e-mail takes effect, or a pending change is applied (proof by the contact on file)."""
    _, teacher_id = await _teacher_of(token)
    form = await read_form(request)
    try:
        code_id = int(form.get("code_id"))
    except ValueError:
        raise NotFound() from None

    async def apply(row: dict[str, Any]) -> None:
        if row["purpose"] in (CodePurpose.PHONE, CodePurpose.EMAIL):
            await requests.write_fields(
                teacher_id, {row["purpose"]: row["new_value"]}, actor=None, via="self_service_code"
            )
        elif row["change_request"] is not None:
            await requests.confirm(
                int(row["change_request"]), via=DecidedVia.CODE_ON_FILE, actor=None, teacher_id=teacher_id
            )

    try:
        await codes.redeem(code_id, teacher_id, form.get("code"), apply)
    except codes.CodeRefused as exc:
        return await _page(token, _settings(request), code_errors={code_id: exc.code}, status=400)
    except DomainError as exc:  # the request was decided meanwhile
        return await _page(token, _settings(request), problem=exc.code, status=409)
    return Redirect(path=path_for("teacher_profile", token=token, query={"notice": "confirmed"}))


@post("/me/{token:str}/changes/{request_id:int}/send", name="teacher_change_send", include_in_schema=False)
async def change_send(request: Req, token: FromPath[str], request_id: FromPath[int]) -> Template | Redirect:
    """Send a code to the contact ON FILE to prove a change this teacher's registration proposed."""
    enrollment_id, teacher_id = await _teacher_of(token)
    found = await requests.get_request(request_id)
    if found.teacher_id != teacher_id or found.status != ChangeRequestStatus.PENDING:
        raise NotFound()
    if found.enrollment_id != enrollment_id and await requests.unproven_enrollment(enrollment_id):
        raise NotFound()  # an unproven link deals only with what its own submission proposed
    row = await requests.teacher_row(teacher_id)
    sms = codes.sms_available(_settings(request))
    phone = requests.plain_record(row)["phone"] if sms else ""
    try:
        await codes.send(
            teacher_id,
            CodePurpose.REQUEST,
            email=row["email"],
            phone=phone,
            change_request=request_id,
            sms=sms,
        )
    except RateLimited:
        return await _page(token, _settings(request), problem="rate_limited", status=429)
    except DomainError as exc:
        return await _page(token, _settings(request), problem=exc.code, status=400)
    return Redirect(path=path_for("teacher_profile", token=token, query={"notice": "code_sent"}))


@post("/me/{token:str}/changes/{request_id:int}/apply", name="teacher_change_apply", include_in_schema=False)
async def change_apply(request: Req, token: FromPath[str], request_id: FromPath[int]) -> Template | Redirect:
    """Her own link (from a mail sent to the contact on file, or her look-up with the phone on file) proves her."""
    enrollment_id, teacher_id = await _teacher_of(token)
    if await requests.unproven_enrollment(enrollment_id):
        return await _page(token, _settings(request), problem="link_not_proven", status=403)
    try:
        async with db.transaction():
            await requests.confirm(request_id, via=DecidedVia.SELF_LINK, actor=None, teacher_id=teacher_id)
    except DomainError as exc:
        return await _page(token, _settings(request), problem=exc.code, status=409)
    return Redirect(path=path_for("teacher_profile", token=token, query={"notice": "confirmed"}))


profile_handlers: list[Any] = [profile_page, profile_save, profile_code, change_send, change_apply]
