"""Pages of the exchange cohorts' travel and rooms: organisers edit, county coordinators read their own county's
teachers; printable travel lists (per group, per station pick-up) and the rooming list; the teacher's section on
her /me page. The JSON API is in api.py."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from training.core.actor import Actor
from training.enrollment.sections import SelfServiceSection
from training.enrollment.self_service import EnrollmentView
from training.errors import DomainError, ValidationFailed
from training.exchange import reads, service, travel
from training.exchange.api import api_handlers
from training.exchange.states import LegMode
from training.i18n import N_, gettext
from training.programmes.webforms import local_datetime
from training.web.confirm import Confirmation, confirmation_page, is_confirmed
from training.web.forms import FormState, read_form
from training.web.guards import current_principal, organiser_only, organiser_or_coordinator
from training.web.nav import NavItem
from training.web.urls import path_for

Req = Request[Any, Any, Any]
MODE_OPTIONS = [(m.value, m.value) for m in LegMode]


def _fail(form: FormState, exc: DomainError) -> None:
    for name, code in exc.fields.items():
        form.error(name, code, **exc.params)
    if not exc.fields:
        form.error("_", exc.code)


async def _saved(form: FormState, change: Callable[[], Awaitable[Any]]) -> tuple[bool, Any]:
    """Make the change when the form reads well; the service's validation errors land next to their fields.
    (whether it was made, what it returned)."""
    if not form.ok:
        return False, None
    try:
        return True, await change()
    except ValidationFailed as exc:
        _fail(form, exc)
        return False, None


# --- index ---------------------------------------------------------------------------------------------------


@get("/admin/exchange", name="exchange_index", guards=[organiser_or_coordinator], include_in_schema=False)
async def index_page() -> Template:
    return Template(template_name="exchange/index.html", context={"cohorts": await service.cohorts()})


# --- travel --------------------------------------------------------------------------------------------------


async def _travel_page(
    actor: Actor,
    session_id: int,
    *,
    group_form: FormState | None = None,
    assign_form: FormState | None = None,
    status: int = 200,
    done: str = "",
) -> Template:
    board = await service.travel_board(actor, session_id)
    return Template(
        template_name="exchange/travel.html",
        context={
            "board": board,
            "editable": actor.is_organiser,
            "group_form": group_form or FormState(),
            "assign_form": assign_form or FormState(),
            "done": done,
        },
        status_code=status,
    )


@get(
    "/admin/exchange/{session_id:int}/travel",
    name="exchange_travel",
    guards=[organiser_or_coordinator],
    include_in_schema=False,
)
async def travel_page(request: Req, session_id: FromPath[int], done: FromQuery[str] = "") -> Template:
    return await _travel_page(current_principal(request), session_id, done=done)


@post(
    "/admin/exchange/{session_id:int}/travel/groups",
    name="exchange_group_create",
    guards=[organiser_only],
    include_in_schema=False,
)
async def group_create(request: Req, session_id: FromPath[int]) -> Template | Redirect:
    actor = current_principal(request)
    form = await read_form(request, redraw=True)
    saved, group_id = await _saved(
        form, lambda: service.create_group(actor, session_id, form.get("name"), form.get("note"))
    )
    if saved:
        return Redirect(path=path_for("exchange_group", session_id=session_id, group_id=group_id))
    return await _travel_page(actor, session_id, group_form=form, status=422)


@post(
    "/admin/exchange/{session_id:int}/travel/assign",
    name="exchange_assign",
    guards=[organiser_only],
    include_in_schema=False,
)
async def assign_submit(request: Req, session_id: FromPath[int]) -> Template | Redirect:
    actor = current_principal(request)
    raw = await request.form()
    ids = [int(v) for v in raw.getall("enrollment", []) if isinstance(v, str) and v.isdigit()]
    group = raw.get("group", "")
    form = FormState(values={"group": group if isinstance(group, str) else ""})
    if not ids:
        form.error("enrollment", "choose_teachers")
    if not isinstance(group, str) or not (group.isdigit() or group == "none"):
        form.error("group", "required")
    if form.ok:
        group_id = None if group == "none" else int(str(group))
        try:
            await service.assign(actor, session_id, ids, group_id)
        except ValidationFailed as exc:
            _fail(form, exc)
        else:
            return Redirect(
                path=path_for("exchange_travel", session_id=session_id, query={"done": "assigned"})
            )
    return await _travel_page(actor, session_id, assign_form=form, status=422)


async def _group_page(
    actor: Actor,
    session_id: int,
    group_id: int,
    *,
    leg_form: FormState | None = None,
    group_form: FormState | None = None,
    status: int = 200,
) -> Template:
    group = await service.group_of(actor, session_id, group_id)
    return Template(
        template_name="exchange/group.html",
        context={
            "cohort": await service.cohort(session_id),
            "g": group,
            "editable": actor.is_organiser,
            "leg_form": leg_form or FormState(values={"mode": "train"}),
            "group_form": group_form or FormState(values={"name": group.name, "note": group.note}),
            "modes": MODE_OPTIONS,
        },
        status_code=status,
    )


@get(
    "/admin/exchange/{session_id:int}/travel/groups/{group_id:int}",
    name="exchange_group",
    guards=[organiser_or_coordinator],
    include_in_schema=False,
)
async def group_page(request: Req, session_id: FromPath[int], group_id: FromPath[int]) -> Template:
    return await _group_page(current_principal(request), session_id, group_id)


@post(
    "/admin/exchange/{session_id:int}/travel/groups/{group_id:int}",
    name="exchange_group_update",
    guards=[organiser_only],
    include_in_schema=False,
)
async def group_update(
    request: Req, session_id: FromPath[int], group_id: FromPath[int]
) -> Template | Redirect:
    actor = current_principal(request)
    form = await read_form(request, redraw=True)
    saved, _ = await _saved(
        form, lambda: service.update_group(actor, session_id, group_id, form.get("name"), form.get("note"))
    )
    if saved:
        return Redirect(path=path_for("exchange_group", session_id=session_id, group_id=group_id))
    return await _group_page(actor, session_id, group_id, group_form=form, status=422)


@post(
    "/admin/exchange/{session_id:int}/travel/groups/{group_id:int}/delete",
    name="exchange_group_delete",
    guards=[organiser_only],
    include_in_schema=False,
)
async def group_delete(
    request: Req, session_id: FromPath[int], group_id: FromPath[int]
) -> Template | Redirect:
    actor = current_principal(request)
    form = await read_form(request)
    group = await service.group_of(actor, session_id, group_id)
    if not is_confirmed(form.values):
        return confirmation_page(
            Confirmation(
                heading=gettext(N_("Delete the travel group {name}?")).format(name=group.name),
                action=path_for("exchange_group_delete", session_id=session_id, group_id=group_id),
                button=gettext(N_("Delete the group")),
                back=path_for("exchange_group", session_id=session_id, group_id=group_id),
                facts=[gettext(N_("Its legs are deleted; its teachers are left without a group."))],
                people=len(group.members),
                people_label=gettext(N_("teachers in this group")),
            )
        )
    await service.delete_group(actor, session_id, group_id)
    return Redirect(path=path_for("exchange_travel", session_id=session_id, query={"done": "group_deleted"}))


def leg_from_form(form: FormState) -> travel.LegDraft | None:
    mode = form.choice("mode", travel.MODES)
    number = form.text("number", max_length=travel.LIMITS["number"])
    origin = form.text("from_station", required=True, max_length=travel.LIMITS["from_station"])
    destination = form.text("to_station", required=True, max_length=travel.LIMITS["to_station"])
    departs = local_datetime(form, "departs_at")
    arrives = local_datetime(form, "arrives_at")
    for name, value in (("departs_at", departs), ("arrives_at", arrives)):
        if value is None and name not in form.errors:
            form.error(name, "required")
    meet_name = form.text("meet_name", max_length=travel.LIMITS["meet_name"])
    position = form.integer("position", low=1, high=99)
    if not form.ok or departs is None or arrives is None:
        return None
    return travel.LegDraft(
        mode, number, origin, destination, departs, arrives, meet_name, form.get("meet_phone"), position
    )


@post(
    "/admin/exchange/{session_id:int}/travel/groups/{group_id:int}/legs",
    name="exchange_leg_add",
    guards=[organiser_only],
    include_in_schema=False,
)
async def leg_add(request: Req, session_id: FromPath[int], group_id: FromPath[int]) -> Template | Redirect:
    actor = current_principal(request)
    form = await read_form(request, redraw=True)
    leg = leg_from_form(form)
    if leg is not None:
        try:
            await service.add_leg(actor, session_id, leg, group_id=group_id)
        except ValidationFailed as exc:
            _fail(form, exc)
        else:
            return Redirect(path=path_for("exchange_group", session_id=session_id, group_id=group_id))
    return await _group_page(actor, session_id, group_id, leg_form=form, status=422)


@post(
    "/admin/exchange/{session_id:int}/travel/legs/{leg_id:int}/delete",
    name="exchange_leg_delete",
    guards=[organiser_only],
    include_in_schema=False,
)
async def leg_delete(request: Req, session_id: FromPath[int], leg_id: FromPath[int]) -> Template | Redirect:
    form = await read_form(request)
    back = (
        form.get("back")
        if form.get("back").startswith("/admin/exchange/")
        else path_for("exchange_travel", session_id=session_id)
    )
    if not is_confirmed(form.values):
        return confirmation_page(
            Confirmation(
                heading=gettext(N_("Delete this leg?")),
                action=path_for("exchange_leg_delete", session_id=session_id, leg_id=leg_id),
                button=gettext(N_("Delete the leg")),
                back=back,
                hidden={"back": back},
                facts=[gettext(N_("Everyone travelling on it no longer sees it in their itinerary."))],
            )
        )
    await service.delete_leg(current_principal(request), session_id, leg_id)
    return Redirect(path=back)


async def _traveller_page(
    actor: Actor,
    session_id: int,
    enrollment_id: int,
    *,
    form: FormState | None = None,
    leg_form: FormState | None = None,
    status: int = 200,
) -> Template:
    people = {m.enrollment_id: m for m in await service.members(actor, session_id)}
    member = people.get(enrollment_id)
    if member is None:
        raise DomainError("not_found", status=404)
    found = await reads.itineraries(session_id, [enrollment_id], reveal=actor.is_organiser)
    itinerary = found.get(enrollment_id)
    values = {
        "note": itinerary.note if itinerary else "",
        "own_legs": "1" if itinerary and itinerary.own_legs else "",
    }
    return Template(
        template_name="exchange/traveller.html",
        context={
            "cohort": await service.cohort(session_id),
            "m": member,
            "it": itinerary,
            "editable": actor.is_organiser,
            "form": form or FormState(values=values),
            "leg_form": leg_form or FormState(values={"mode": "train"}),
            "modes": MODE_OPTIONS,
        },
        status_code=status,
    )


@get(
    "/admin/exchange/{session_id:int}/travel/teachers/{enrollment_id:int}",
    name="exchange_traveller",
    guards=[organiser_or_coordinator],
    include_in_schema=False,
)
async def traveller_page(request: Req, session_id: FromPath[int], enrollment_id: FromPath[int]) -> Template:
    return await _traveller_page(current_principal(request), session_id, enrollment_id)


@post(
    "/admin/exchange/{session_id:int}/travel/teachers/{enrollment_id:int}",
    name="exchange_traveller_save",
    guards=[organiser_only],
    include_in_schema=False,
)
async def traveller_save(
    request: Req, session_id: FromPath[int], enrollment_id: FromPath[int]
) -> Template | Redirect:
    actor = current_principal(request)
    form = await read_form(request, redraw=True)
    if form.ok:
        try:
            await service.set_exception(
                actor, session_id, enrollment_id, own_legs=bool(form.get("own_legs")), note=form.get("note")
            )
        except ValidationFailed as exc:
            _fail(form, exc)
        else:
            return Redirect(
                path=path_for("exchange_traveller", session_id=session_id, enrollment_id=enrollment_id)
            )
    return await _traveller_page(actor, session_id, enrollment_id, form=form, status=422)


@post(
    "/admin/exchange/{session_id:int}/travel/teachers/{enrollment_id:int}/legs",
    name="exchange_traveller_leg_add",
    guards=[organiser_only],
    include_in_schema=False,
)
async def traveller_leg_add(
    request: Req, session_id: FromPath[int], enrollment_id: FromPath[int]
) -> Template | Redirect:
    actor = current_principal(request)
    form = await read_form(request, redraw=True)
    leg = leg_from_form(form)
    if leg is not None:
        try:
            await service.add_leg(actor, session_id, leg, enrollment_id=enrollment_id)
        except ValidationFailed as exc:
            _fail(form, exc)
        else:
            return Redirect(
                path=path_for("exchange_traveller", session_id=session_id, enrollment_id=enrollment_id)
            )
    return await _traveller_page(actor, session_id, enrollment_id, leg_form=form, status=422)


# --- printable travel lists ----------------------------------------------------------------------------------


@get(
    "/admin/exchange/{session_id:int}/travel/groups/{group_id:int}/print",
    name="exchange_group_print",
    guards=[organiser_or_coordinator],
    include_in_schema=False,
)
async def group_print(request: Req, session_id: FromPath[int], group_id: FromPath[int]) -> Template:
    actor = current_principal(request)
    board = await service.travel_board(actor, session_id)
    groups = [g for g in board.groups if g.id == group_id]
    if not groups:
        raise DomainError("not_found", status=404)
    return Template(
        template_name="exchange/print_travel.html",
        context={"board": board, "groups": groups, "cohort": board.cohort},
    )


@get(
    "/admin/exchange/{session_id:int}/travel/print",
    name="exchange_travel_print",
    guards=[organiser_or_coordinator],
    include_in_schema=False,
)
async def travel_print(request: Req, session_id: FromPath[int]) -> Template:
    board = await service.travel_board(current_principal(request), session_id)
    return Template(
        template_name="exchange/print_travel.html",
        context={"board": board, "groups": board.groups, "cohort": board.cohort},
    )


@get(
    "/admin/exchange/{session_id:int}/travel/pickups/print",
    name="exchange_pickups_print",
    guards=[organiser_or_coordinator],
    include_in_schema=False,
)
async def pickups_print(request: Req, session_id: FromPath[int]) -> Template:
    actor = current_principal(request)
    return Template(
        template_name="exchange/print_pickups.html",
        context={
            "cohort": await service.cohort(session_id),
            "pickups": await service.pickup_list(actor, session_id),
        },
    )


# --- rooms ---------------------------------------------------------------------------------------------------


async def _rooms_page(
    actor: Actor,
    session_id: int,
    *,
    forms: dict[str, FormState] | None = None,
    status: int = 200,
    done: str = "",
) -> Template:
    board = await service.room_board(actor, session_id)
    forms = forms or {}
    return Template(
        template_name="exchange/rooms.html",
        context={
            "board": board,
            "editable": actor.is_organiser,
            "hotel_form": forms.get("hotel", FormState()),
            "rooms_form": forms.get("rooms", FormState(values={"capacity": "2"})),
            "blank_rooms_form": FormState(values={"capacity": "2"}),
            "move_form": forms.get("move", FormState()),
            "swap_form": forms.get("swap", FormState()),
            "done": done,
        },
        status_code=status,
    )


@get(
    "/admin/exchange/{session_id:int}/rooms",
    name="exchange_rooms",
    guards=[organiser_or_coordinator],
    include_in_schema=False,
)
async def rooms_page(request: Req, session_id: FromPath[int], done: FromQuery[str] = "") -> Template:
    return await _rooms_page(current_principal(request), session_id, done=done)


@post(
    "/admin/exchange/{session_id:int}/rooms/hotels",
    name="exchange_hotel_add",
    guards=[organiser_only],
    include_in_schema=False,
)
async def hotel_add(request: Req, session_id: FromPath[int]) -> Template | Redirect:
    actor = current_principal(request)
    form = await read_form(request, redraw=True)
    saved, _ = await _saved(
        form, lambda: service.add_hotel(actor, session_id, form.get("hotel_name"), form.get("address"))
    )
    if saved:
        return Redirect(path=path_for("exchange_rooms", session_id=session_id, query={"done": "hotel"}))
    return await _rooms_page(actor, session_id, forms={"hotel": form}, status=422)


@post(
    "/admin/exchange/{session_id:int}/rooms/hotels/{hotel_id:int}/rooms",
    name="exchange_rooms_add",
    guards=[organiser_only],
    include_in_schema=False,
)
async def rooms_add(request: Req, session_id: FromPath[int], hotel_id: FromPath[int]) -> Template | Redirect:
    actor = current_principal(request)
    form = await read_form(request, redraw=True)
    form.values["hotel"] = str(hotel_id)
    capacity = form.integer("capacity", required=True, low=1, high=12)
    saved, _ = await _saved(
        form, lambda: service.add_rooms(actor, session_id, hotel_id, form.get("numbers"), capacity)
    )
    if saved:
        return Redirect(path=path_for("exchange_rooms", session_id=session_id, query={"done": "rooms"}))
    return await _rooms_page(actor, session_id, forms={"rooms": form}, status=422)


@post(
    "/admin/exchange/{session_id:int}/rooms/{room_id:int}/delete",
    name="exchange_room_delete",
    guards=[organiser_only],
    include_in_schema=False,
)
async def room_delete(request: Req, session_id: FromPath[int], room_id: FromPath[int]) -> Template | Redirect:
    form = await read_form(request)
    if not is_confirmed(form.values):
        return confirmation_page(
            Confirmation(
                heading=gettext(N_("Delete room {number}?")).format(number=form.get("number")),
                action=path_for("exchange_room_delete", session_id=session_id, room_id=room_id),
                button=gettext(N_("Delete the room")),
                back=path_for("exchange_rooms", session_id=session_id),
                hidden={"number": form.get("number")},
                facts=[gettext(N_("Teachers in this room are left without a room."))],
            )
        )
    await service.delete_room(current_principal(request), session_id, room_id)
    return Redirect(path=path_for("exchange_rooms", session_id=session_id, query={"done": "room_deleted"}))


@post(
    "/admin/exchange/{session_id:int}/rooms/draft",
    name="exchange_draft",
    guards=[organiser_only],
    include_in_schema=False,
)
async def draft_submit(request: Req, session_id: FromPath[int]) -> Template | Redirect:
    actor = current_principal(request)
    form = await read_form(request)
    board = await service.room_board(actor, session_id)
    if board.places and not is_confirmed(form.values):
        return confirmation_page(
            Confirmation(
                heading=gettext(N_("Replace the rooming list with a new draft?")),
                action=path_for("exchange_draft", session_id=session_id),
                button=gettext(N_("Make a new draft")),
                back=path_for("exchange_rooms", session_id=session_id),
                facts=[
                    gettext(
                        N_("Every teacher's room is chosen again; moves and swaps made by hand are lost.")
                    )
                ],
                people=len(board.places),
                people_label=gettext(N_("teachers have a room now")),
            )
        )
    result = await service.run_draft(actor, session_id)
    done = "draft_partial" if result.unplaced else "draft"
    return Redirect(path=path_for("exchange_rooms", session_id=session_id, query={"done": done}))


def _pick(form: FormState, name: str) -> int:
    """A chosen id; 0 (with the error on the field) when nothing was chosen."""
    raw = form.get(name)
    if not raw.isdigit():
        form.error(name, "required")
        return 0
    return int(raw)


@post(
    "/admin/exchange/{session_id:int}/rooms/move",
    name="exchange_move",
    guards=[organiser_only],
    include_in_schema=False,
)
async def move_submit(request: Req, session_id: FromPath[int]) -> Template | Redirect:
    actor = current_principal(request)
    form = await read_form(request, redraw=True)
    enrollment_id = _pick(form, "enrollment")
    room_id = None if form.get("room") == "none" else _pick(form, "room")
    saved, _ = await _saved(form, lambda: service.move(actor, session_id, enrollment_id, room_id))
    if saved:
        return Redirect(path=path_for("exchange_rooms", session_id=session_id, query={"done": "moved"}))
    return await _rooms_page(actor, session_id, forms={"move": form}, status=422)


@post(
    "/admin/exchange/{session_id:int}/rooms/swap",
    name="exchange_swap",
    guards=[organiser_only],
    include_in_schema=False,
)
async def swap_submit(request: Req, session_id: FromPath[int]) -> Template | Redirect:
    actor = current_principal(request)
    form = await read_form(request, redraw=True)
    first, second = _pick(form, "first"), _pick(form, "second")
    saved, _ = await _saved(form, lambda: service.swap(actor, session_id, first, second))
    if saved:
        return Redirect(path=path_for("exchange_rooms", session_id=session_id, query={"done": "swapped"}))
    return await _rooms_page(actor, session_id, forms={"swap": form}, status=422)


@get(
    "/admin/exchange/{session_id:int}/rooms/print",
    name="exchange_rooming_print",
    guards=[organiser_or_coordinator],
    include_in_schema=False,
)
async def rooming_print(request: Req, session_id: FromPath[int]) -> Template:
    board = await service.room_board(current_principal(request), session_id)
    return Template(
        template_name="exchange/print_rooming.html", context={"board": board, "cohort": board.cohort}
    )


# --- the teacher's /me page -----------------------------------------------------------------------------------


async def my_trip(view: EnrollmentView) -> dict[str, Any] | None:
    """Her itinerary and room on her self-service page, when her cohort has them."""
    if view.status != "confirmed":
        return None
    try:
        await service.cohort(view.session.id)
    except DomainError:
        return None
    itinerary = (await reads.itineraries(view.session.id, [view.id])).get(view.id)
    room = (await reads.room_assignments(view.session.id, [view.id])).get(view.id)
    if itinerary is None and room is None:
        return None
    return {"itinerary": itinerary, "room": room}


# her trip after the timetable, before her certificates and hours (installed by training/wiring.py)
SELF_SERVICE_SECTION = SelfServiceSection("exchange_trip", 5, "exchange/_my_trip.html", my_trip)

route_handlers: list[Any] = [
    index_page,
    travel_page,
    group_create,
    assign_submit,
    group_page,
    group_update,
    group_delete,
    leg_add,
    leg_delete,
    traveller_page,
    traveller_save,
    traveller_leg_add,
    group_print,
    travel_print,
    pickups_print,
    rooms_page,
    hotel_add,
    rooms_add,
    room_delete,
    draft_submit,
    move_submit,
    swap_submit,
    rooming_print,
    *api_handlers,
]
nav_items = [
    NavItem(N_("Exchange travel and rooms"), "exchange_index", ("organiser", "coordinator"), order=45)
]
