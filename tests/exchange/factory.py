"""An exchange cohort for the exchange tests: Jiange and Wusheng teachers of both genders, confirmed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from tests.kit import world
from training.people.service import TeacherProfile, profile_columns, protected_columns
from training.people.tables import Teacher


@dataclass
class Cohort:
    session_id: int
    jiange: int
    wusheng: int
    teachers: dict[str, int] = field(default_factory=dict)  # name → enrollment id


async def teacher(county_id: int, name: str, *, male: bool = False, county_code: str = "510823") -> int:
    n = world.serial()
    person = TeacherProfile(
        id_number=world.id_number(county_code, n=n, female=not male),
        name=name,
        phone=f"199{n:08d}",
        county_id=county_id,
        email=f"t{n}@example.org",
        gender="male" if male else "female",
    )
    rows = await Teacher.insert(Teacher(**protected_columns(person), **profile_columns(person)))
    return int(rows[0]["id"])


async def cohort(people: tuple[tuple[str, str, bool], ...] | None = None) -> Cohort:
    """people: (name, "jiange"|"wusheng", male). Default: three Jiange women, one Jiange man, one Wusheng woman,
    one Wusheng man."""
    jiange = await world.county("510823", "剑阁县")
    wusheng = await world.county("511622", "武胜县", prefecture="广安市")
    programme = await world.programme("rainbow", "彩虹行动", kind="exchange")
    session_id = await world.session(
        programme,
        title="2027 彩虹行动 南通班",
        mode="nomination",
        host_city="南通",
        starts_on=date(2027, 10, 15),
        ends_on=date(2027, 10, 28),
    )
    result = Cohort(session_id, jiange, wusheng)
    people = people or (
        ("张三梅", "jiange", False),
        ("李芳", "jiange", False),
        ("王丽", "jiange", False),
        ("刘洋", "jiange", True),
        ("陈静", "wusheng", False),
        ("黄磊", "wusheng", True),
    )
    for name, where, male in people:
        county_id, code = (jiange, "510823") if where == "jiange" else (wusheng, "511622")
        teacher_id = await teacher(county_id, name, male=male, county_code=code)
        result.teachers[name] = await world.enrollment(session_id, teacher_id)
    return result
