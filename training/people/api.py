"""JSON API for counties and schools: /api/v1/counties, /api/v1/schools. Organisers only."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get, post, put
from litestar.params import FromPath, JSONBody, QueryParameter, RawBody

from training.people import places
from training.web.guards import current_principal, organiser_only
from training.web.openapi import choice

Limit = Annotated[int, QueryParameter(ge=1, le=500, description="page size")]
Offset = Annotated[int, QueryParameter(ge=0, le=1_000_000_000, description="rows to skip")]
Req = Request[Any, Any, Any]
SchoolLevel = Annotated[str, choice(places.SCHOOL_LEVELS)]


class CountyIn(msgspec.Struct):
    code: str  # GB/T 2260 county-level code, e.g. 510823
    name: str
    province: str = ""  # default: from the code
    prefecture: str = ""
    name_en: str = ""
    aided: bool = True


class CountyOut(msgspec.Struct):
    id: int
    code: str
    name: str
    name_en: str
    province: str
    prefecture: str
    aided: bool
    school_count: int = 0


class CountyPage(msgspec.Struct):
    items: list[CountyOut]
    total: int
    limit: int
    offset: int


class ImportOut(msgspec.Struct):
    created: int
    updated: int
    unchanged: int


class SchoolIn(msgspec.Struct):
    county_id: int
    name: str
    level: SchoolLevel = "other"


class SchoolOut(msgspec.Struct):
    id: int
    county_id: int
    name: str
    level: SchoolLevel


class SchoolPage(msgspec.Struct):
    items: list[SchoolOut]
    total: int
    limit: int
    offset: int


def county_out(county: places.CountyRecord) -> CountyOut:
    return msgspec.convert(county, CountyOut, from_attributes=True)


def school_out(school: places.SchoolRecord) -> SchoolOut:
    return SchoolOut(id=school.id, county_id=school.county, name=school.name, level=school.level)


class CountyApi(Controller):
    path = "/api/v1/counties"
    guards = (organiser_only,)
    tags = ("counties",)

    @get("/", name="api_counties", summary="List counties (by division code)")
    async def list(
        self,
        q: Annotated[str, QueryParameter(description="name or code prefix")] = "",
        aided: Annotated[bool | None, QueryParameter()] = None,
        limit: Limit = 200,
        offset: Offset = 0,
    ) -> CountyPage:
        page = await places.list_counties(query=q, aided=aided, limit=limit, offset=offset)
        return CountyPage(
            items=[county_out(r) for r in page.items], total=page.total, limit=limit, offset=offset
        )

    @post("/", name="api_county_create", summary="Add a county")
    async def create(self, request: Req, data: JSONBody[CountyIn]) -> CountyOut:
        county_id = await places.create_county(
            current_principal(request), places.CountyDraft(**msgspec.structs.asdict(data))
        )
        return county_out(await places.get_county(county_id))

    @get("/{county_id:int}", name="api_county", summary="One county")
    async def one(self, county_id: FromPath[int]) -> CountyOut:
        return county_out(await places.get_county(county_id))

    @put("/{county_id:int}", name="api_county_replace", summary="Replace a county's fields")
    async def replace(self, request: Req, county_id: FromPath[int], data: JSONBody[CountyIn]) -> CountyOut:
        await places.update_county(
            current_principal(request), county_id, places.CountyDraft(**msgspec.structs.asdict(data))
        )
        return county_out(await places.get_county(county_id))

    @post(
        "/import",
        name="api_counties_import",
        summary="Import counties from CSV (code,name[,prefecture[,province]] or with a header)",
    )
    async def import_csv(self, request: Req, body: RawBody) -> ImportOut:
        """The request body is the CSV file itself (content-type text/csv; UTF-8 or GB18030)."""
        result = await places.import_counties(current_principal(request), bytes(body))
        return ImportOut(created=result.created, updated=result.updated, unchanged=result.unchanged)


class SchoolApi(Controller):
    path = "/api/v1/schools"
    guards = (organiser_only,)
    tags = ("schools",)

    @get("/", name="api_schools", summary="List schools")
    async def list(
        self,
        county_id: Annotated[int | None, QueryParameter()] = None,
        q: Annotated[str, QueryParameter(description="part of the name")] = "",
        limit: Limit = 200,
        offset: Offset = 0,
    ) -> SchoolPage:
        page = await places.list_schools(county_id=county_id, query=q, limit=limit, offset=offset)
        return SchoolPage(
            items=[school_out(r) for r in page.items], total=page.total, limit=limit, offset=offset
        )

    @post("/", name="api_school_create", summary="Add a school")
    async def create(self, request: Req, data: JSONBody[SchoolIn]) -> SchoolOut:
        school_id = await places.create_school(
            current_principal(request), places.SchoolDraft(**msgspec.structs.asdict(data))
        )
        return school_out(await places.get_school(school_id))

    @get("/{school_id:int}", name="api_school", summary="One school")
    async def one(self, school_id: FromPath[int]) -> SchoolOut:
        return school_out(await places.get_school(school_id))

    @put("/{school_id:int}", name="api_school_replace", summary="Replace a school's fields")
    async def replace(self, request: Req, school_id: FromPath[int], data: JSONBody[SchoolIn]) -> SchoolOut:
        await places.update_school(
            current_principal(request), school_id, places.SchoolDraft(**msgspec.structs.asdict(data))
        )
        return school_out(await places.get_school(school_id))


route_handlers: list[Any] = [CountyApi, SchoolApi]
