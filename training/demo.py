"""Demo data that is the seed article's world: ten aided counties, nine summer sessions (2011–2019), six Jiangsu
exchange cohorts (2014–2019), over a thousand clearly fictitious teachers with enrollments, check-ins and
certificates, and staff accounts; plus a short on-site session running today (dates relative to the day the demo
loads) with a block open now, so the scanner can be tried at once. The history is deterministic (seeded); the
load is idempotent (one transaction, once). Counties already in the database are reused (merged by division
code); a database that already holds programmes or teachers of its own is refused (DemoRefused)."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from piccolo.table import Table

from training import db
from training.accounts import service as accounts
from training.accounts.tables import StaffUser
from training.certificates.serials import make_serial, make_verification_code
from training.certificates.tables import Certificate
from training.checkin.tables import CheckIn
from training.config import Settings
from training.core.clock import LOCAL_TZ as LOCAL
from training.core.codes import new_manual_code
from training.enrollment import snapshots
from training.enrollment.tables import Enrollment
from training.people.identity import check_digit
from training.people.service import TeacherProfile, profile_columns, protected_columns
from training.people.tables import County, School, Teacher
from training.programmes.question_tables import SessionQuestion
from training.programmes.sessions import get_session
from training.programmes.states import CertificateLayout, ProgrammeKind, RegistrationMode, SessionStatus
from training.programmes.tables import Block, CountyQuota, Programme, TrainingSession
from training.stats import schema as stats_schema
from training.survey.demo import load_survey

# (code, name, English, province, prefecture, first summer year it joined)
COUNTIES = [
    ("510823", "剑阁县", "Jiange", "四川省", "广元市", 2011),
    ("511622", "武胜县", "Wusheng", "四川省", "广安市", 2011),
    ("513432", "喜德县", "Xide", "四川省", "凉山彝族自治州", 2011),
    ("510824", "苍溪县", "Cangxi", "四川省", "广元市", 2013),
    ("510822", "青川县", "Qingchuan", "四川省", "广元市", 2013),
    ("522328", "安龙县", "Anlong", "贵州省", "黔西南布依族苗族自治州", 2014),
    ("520523", "金沙县", "Jinsha", "贵州省", "毕节市", 2015),
    ("513431", "昭觉县", "Zhaojue", "四川省", "凉山彝族自治州", 2016),
    ("513226", "金川县", "Jinchuan", "四川省", "阿坝藏族羌族自治州", 2017),
    ("511923", "平昌县", "Pingchang", "四川省", "巴中市", 2017),
]
EXCHANGE_COUNTIES = ("513432", "513431", "510823", "511622")  # Liangshan (Xide, Zhaojue), Jiange, Wusheng
TOWNS = {
    "510823": ["姚家乡", "普安镇", "白龙镇"],
    "511622": ["鸣钟乡", "沿口镇", "中心镇"],
    "513432": ["光明镇", "冕山镇", "两河口镇"],
}
SCHOOL_KINDS = [
    ("实验小学", "primary"),
    ("第一中学", "senior"),
    ("第二中学", "junior"),
    ("民族中学", "junior"),
    ("职业中学", "vocational"),
    ("城关幼儿园", "kindergarten"),
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
YI_SURNAMES = ["阿苦", "吉克", "沙马", "阿尔", "勒格", "曲比", "海来", "吉木", "俄木", "马海"]
GIVEN = (
    "明华建国丽红梅芳军平静敏燕玲桂英志强伟秀兰霞洪涛勇杰娟艳斌辉晓东雪琴云飞婷欣悦宇晨浩然思雨佳琪嘉怡子涵"
)
SUBJECTS = [
    "语文",
    "数学",
    "英语",
    "物理",
    "化学",
    "生物",
    "道德与法治",
    "历史",
    "地理",
    "音乐",
    "体育",
    "美术",
    "信息技术",
    "科学",
    "学前教育",
]
TITLES = ["未定级", "三级教师", "二级教师", "一级教师", "高级教师"]
SUMMER_TOPICS = [
    "新课标解读与课堂教学设计",
    "乡村学校班主任工作艺术",
    "阅读教学与整本书阅读",
    "小学数学思维训练",
    "信息技术与学科教学融合",
    "心理健康教育与留守儿童关爱",
    "课堂观察与教学反思",
    "校本教研与教师专业成长",
]

DEMO_ACCOUNTS = [
    ("organiser", "training-2019-org", "organiser", "项目组 李老师", None),
    ("jiange", "coordinator-510823", "coordinator", "剑阁县 联络员", "510823"),
    ("xide", "coordinator-513432", "coordinator", "喜德县 联络员", "513432"),
    ("scanner", "checkin-2019-site", "staff", "现场 王老师", None),
]


# Host coordinators of the Jiangsu host cities (username, password, display name, host city): _hosting() below.
HOST_ACCOUNTS = [
    ("nantong", "host-226000-2019", "南通 接待联络员", "南通市"),
    ("changzhou", "host-213000-2019", "常州 接待联络员", "常州市"),
]


class DemoRefused(Exception):
    """The database holds data of its own that the demo would mix with: nothing was loaded."""


@dataclass
class DemoSummary:
    loaded: bool
    counts: dict[str, int] = field(default_factory=dict)
    counties_reused: int = 0
    running_session: str = ""

    def render(self) -> str:
        lines = ["demo data " + ("loaded" if self.loaded else "already present (nothing changed)")]
        if self.counties_reused:
            lines.append(
                f"  reused {self.counties_reused} counties already in the database (same division code)"
            )
        if self.running_session:
            lines.append(f"  running today, scanner ready: {self.running_session}")
        lines += [f"  {name:<14} {n}" for name, n in self.counts.items()]
        lines.append("staff log-ins (demo only):")
        lines += [
            f"  {role:<12} {username:<10} password: {password}"
            for username, password, role, _, _ in DEMO_ACCOUNTS
        ]
        lines += [
            f"  {'host':<12} {username:<10} password: {password}" for username, password, *_ in HOST_ACCOUNTS
        ]
        return "\n".join(lines)


def _fictitious_id_number(rng: random.Random, county_code: str, born: date, female: bool) -> str:
    seq = rng.randint(0, 99) * 10 + (rng.choice([0, 2, 4, 6, 8]) if female else rng.choice([1, 3, 5, 7, 9]))
    first17 = f"{county_code}{born:%Y%m%d}{seq:03d}"
    return first17 + check_digit(first17)


def _local(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=LOCAL).astimezone(UTC)


async def _counts() -> dict[str, int]:
    return {
        "counties": await County.count(),
        "schools": await School.count(),
        "programmes": await Programme.count(),
        "sessions": await TrainingSession.count(),
        "blocks": await Block.count(),
        "teachers": await Teacher.count(),
        "enrollments": await Enrollment.count(),
        "check-ins": await CheckIn.count(),
        "certificates": await Certificate.count(),
        "staff": await StaffUser.count(),
    }


async def _insert_many(table: type[Table], rows: list[Any], batch: int = 400) -> list[int]:
    ids: list[int] = []
    for start in range(0, len(rows), batch):
        result = await table.insert(*rows[start : start + batch])
        ids.extend(int(r["id"]) for r in result)
    return ids


async def load_demo(
    seed: int = 2019, teacher_count: int | None = None, settings: Settings | None = None
) -> DemoSummary:
    """teacher_count: the number of fictitious teachers (None: as many as the history needs, about 1,170)."""
    async with db.transaction():
        if await Programme.exists().where(Programme.slug == "summer"):
            return DemoSummary(loaded=False, counts=await _counts())
        if await Programme.exists() or await Teacher.exists():
            raise DemoRefused(
                "the database already holds programmes or teachers of its own, and the demo would mix fictitious "
                "people into them: load the demo into a fresh database (another TRAINING_DATA_DIR or "
                "TRAINING_DATABASE_URL)"
            )
        reused, running = await _load(random.Random(seed), teacher_count)
        await load_survey(seed=seed)
        await stats_schema.catch_up_in_bulk()
    for username, password, role, name, county_code in DEMO_ACCOUNTS:
        if await StaffUser.exists().where(StaffUser.username == username):
            continue
        county = (
            await County.select(County.id).where(County.code == county_code).first() if county_code else None
        )
        await accounts.create_user(username, password, role, name, county["id"] if county else None)
    await _hosting()
    return DemoSummary(loaded=True, counts=await _counts(), counties_reused=reused, running_session=running)


async def _counties() -> tuple[dict[str, int], int]:
    """County ids by code: the demo's counties, reusing any already in the database with the same code."""
    existing = {
        r["code"]: int(r["id"])
        for r in await County.select(County.id, County.code).where(
            County.code.is_in([c[0] for c in COUNTIES])
        )
    }
    missing = [c for c in COUNTIES if c[0] not in existing]
    new_ids = await _insert_many(
        County,
        [
            County(code=c, name=n, name_en=e, province=p, prefecture=pre, aided=True)
            for c, n, e, p, pre, _ in missing
        ],
    )
    return {**existing, **{c[0]: cid for c, cid in zip(missing, new_ids, strict=True)}}, len(existing)


async def _schools(
    county_by_code: dict[str, int], name_by_code: dict[str, str]
) -> dict[str, list[tuple[int, str]]]:
    """Each county's demo schools (school names are unique per county: existing ones are reused)."""
    existing = {
        (r["county"], r["name"]): int(r["id"])
        for r in await School.select(School.id, School.county, School.name).where(
            School.county.is_in(list(county_by_code.values()))
        )
    }
    wanted: list[tuple[str, str, str]] = []  # (county code, name, level)
    for code, _, _, _, _, _ in COUNTIES:
        stem = name_by_code[code][:-1]
        wanted += [(code, f"{stem}县{kind}", level) for kind, level in SCHOOL_KINDS]
        wanted += [(code, f"{town}中心小学", "primary") for town in TOWNS.get(code, ["城关镇", "新华乡"])]
    missing = [w for w in wanted if (county_by_code[w[0]], w[1]) not in existing]
    new_ids = await _insert_many(
        School, [School(county=county_by_code[code], name=name, level=level) for code, name, level in missing]
    )
    ids = {**existing, **{(county_by_code[w[0]], w[1]): sid for w, sid in zip(missing, new_ids, strict=True)}}
    schools_by_county: dict[str, list[tuple[int, str]]] = {}
    for code, name, _ in wanted:
        schools_by_county.setdefault(code, []).append((ids[(county_by_code[code], name)], name))
    return schools_by_county


class _Cast:
    """The demo's fictitious teachers, their enrollments, attendance and certificates: what the history's steps
    share (the random stream, the teachers invented so far, ID numbers and codes already used)."""

    def __init__(
        self,
        rng: random.Random,
        teacher_count: int | None,
        county_by_code: dict[str, int],
        name_by_code: dict[str, str],
        schools_by_county: dict[str, list[tuple[int, str]]],
    ) -> None:
        self.rng = rng
        self.teacher_count = teacher_count
        self.county_by_code = county_by_code
        self.name_by_code = name_by_code
        self.schools_by_county = schools_by_county
        self.teachers: dict[
            int, dict
        ] = {}  # teacher id → {"county": code, "school": (id, name), "snapshot": …}
        self.teacher_pool: dict[str, list[int]] = {}
        self.used_ids: set[str] = set()
        self.used_codes: set[str] = set()

    def _profile(self, code: str) -> TeacherProfile:
        """One invented teacher of a county (a fresh ID number)."""
        rng = self.rng
        female = rng.random() < 0.62
        yi = code in ("513432", "513431") and rng.random() < 0.7
        surname = rng.choice(YI_SURNAMES) if yi else rng.choice(SURNAMES)
        given = "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2, 2])))
        born = date(rng.randint(1966, 1997), rng.randint(1, 12), rng.randint(1, 28))
        while True:
            number = _fictitious_id_number(rng, code, born, female)
            if number not in self.used_ids:
                self.used_ids.add(number)
                break
        school_id, school_name = rng.choice(self.schools_by_county[code])
        ethnicity = "彝族" if yi else ("布依族" if code == "522328" and rng.random() < 0.3 else "汉族")
        return TeacherProfile(
            id_number=number,
            name=surname + given,
            phone=f"199{rng.randint(0, 99999999):08d}",
            county_id=self.county_by_code[code],
            email=f"teacher{len(self.used_ids):05d}@example.org",
            gender="female" if female else "male",
            ethnicity=ethnicity,
            birth_date=born,
            school_id=school_id,
            school_name=school_name,
            subject=rng.choice(SUBJECTS),
            grade_band=rng.choice(["primary", "primary", "junior", "senior", "kindergarten"]),
            title=rng.choice(TITLES),
            years_teaching=max(1, min(35, 2019 - born.year - 22 + rng.randint(-2, 2))),
        )

    async def new_teachers(self, code: str, n: int) -> list[int]:
        """Up to n new teachers of a county (fewer once teacher_count is reached)."""
        if self.teacher_count is not None:
            n = max(0, min(n, self.teacher_count - len(self.used_ids)))
        rows = []
        meta = []
        for _ in range(n):
            profile = self._profile(code)
            rows.append(Teacher(**protected_columns(profile), **profile_columns(profile)))
            school = (profile.school_id, profile.school_name)
            meta.append((code, school, snapshots.of_teacher(profile_columns(profile))))
        ids = await _insert_many(Teacher, rows)
        for tid, (c, school, snapshot) in zip(ids, meta, strict=True):
            self.teachers[tid] = {"county": c, "school": school, "snapshot": snapshot}
            self.teacher_pool.setdefault(c, []).append(tid)
        return ids

    def next_code(self) -> str:
        while True:
            candidate = new_manual_code(self.rng)
            if candidate not in self.used_codes:
                self.used_codes.add(candidate)
                return candidate

    async def make_blocks(self, session_id: int, first_day: date, days: int, topics: list[str]) -> list[dict]:
        rows = []
        for d in range(days):
            day = first_day + timedelta(days=d)
            for half, start, end in (
                ("morning", time(8, 30), time(11, 30)),
                ("afternoon", time(14, 0), time(17, 0)),
            ):
                rows.append(
                    Block(
                        session=session_id,
                        day=day,
                        half_day=half,
                        starts_at=start,
                        ends_at=end,
                        topic=topics[(d * 2 + (half == "afternoon")) % len(topics)],
                        instructor=self.rng.choice(SURNAMES) + "老师",
                        room="报告厅" if half == "morning" else "多功能教室",
                        hours=3.0,
                    )
                )
        ids = await _insert_many(Block, rows)
        return [
            {"id": i, "day": r.day, "starts_at": r.starts_at, "hours": r.hours}
            for i, r in zip(ids, rows, strict=True)
        ]

    async def enrol(
        self,
        session_id: int,
        year: int,
        participants: list[int],
        blocks: list[dict],
        threshold: float,
        attend_p: float,
        created: datetime,
    ) -> None:
        """The participants enrolled (3 % cancelled), their attendance, certificates and the seat counts."""
        enr_rows = []
        statuses = []
        for tid in participants:  # one teacher's draws at a time: the random stream decides the whole demo
            status = "cancelled" if self.rng.random() < 0.03 else "confirmed"
            statuses.append(status)
            enr_rows.append(self._enrollment(session_id, tid, status, created))
        enr_ids = await _insert_many(Enrollment, enr_rows)
        checkins: list[CheckIn] = []
        certificates = []
        seq = 0
        for eid, tid, status in zip(enr_ids, participants, statuses, strict=True):
            if status != "confirmed":
                continue
            hours = self._attendance(eid, blocks, attend_p, checkins)
            if hours >= threshold:
                seq += 1
                certificates.append((eid, tid, hours, seq))
        await _insert_many(CheckIn, checkins, batch=800)
        await self._certificates(session_id, year, certificates)
        await self._seat_counts(session_id, participants, statuses, seq)

    def _enrollment(self, session_id: int, tid: int, status: str, created: datetime) -> Enrollment:
        info = self.teachers[tid]
        return Enrollment(
            session=session_id,
            teacher=tid,
            county=self.county_by_code[info["county"]],
            school=info["school"][0],
            **info["snapshot"],
            status=status,
            holds_seat=status == "confirmed",
            holds_quota=status == "confirmed",
            manual_code=self.next_code(),
            token_nonce="",
            source="demo",
            created_at=created + timedelta(minutes=self.rng.randint(0, 20000)),
            confirmed_at=created if status == "confirmed" else None,
            cancelled_at=created + timedelta(days=3) if status == "cancelled" else None,
        )

    def _attendance(self, eid: int, blocks: list[dict], attend_p: float, checkins: list[CheckIn]) -> float:
        """A confirmed teacher's check-ins (most are diligent); appends them and returns her hours."""
        rng = self.rng
        diligent = rng.random() < 0.85
        hours = 0.0
        for block in blocks:
            if rng.random() < (attend_p if diligent else 0.45):
                hours += block["hours"]
                scanned = _local(block["day"], block["starts_at"]) - timedelta(minutes=rng.randint(0, 25))
                checkins.append(
                    CheckIn(
                        enrollment=eid,
                        block=block["id"],
                        scanned_at=scanned,
                        recorded_at=scanned,
                        staff_name="现场 王老师",
                        device_id="demo",
                        client_id=f"demo-{eid}-{block['id']}",
                    )
                )
        return hours

    async def _certificates(
        self, session_id: int, year: int, certificates: list[tuple[int, int, float, int]]
    ) -> None:
        session = await get_session(session_id)
        dates = f"{session.starts_on:%Y.%m.%d}–{session.ends_on:%m.%d}"
        rows = []
        for eid, tid, hours, n in certificates:
            info = self.teachers[tid]
            teacher = await Teacher.select(Teacher.name).where(Teacher.id == tid).first()
            assert teacher is not None
            rows.append(
                Certificate(
                    enrollment=eid,
                    session=session_id,
                    seq=n,
                    serial=make_serial(year, session_id, n),
                    verification_code=make_verification_code(),
                    teacher_name=teacher["name"],
                    county_name=self.name_by_code[info["county"]],
                    school_name=info["school"][1],
                    session_title=session.title,
                    session_dates=dates,
                    hours=hours,
                    issued_at=_local(session.ends_on, time(17, 30)),
                )
            )
        await _insert_many(Certificate, rows)

    async def _seat_counts(
        self, session_id: int, participants: list[int], statuses: list[str], issued: int
    ) -> None:
        confirmed_by_county: dict[str, int] = {}
        for tid, status in zip(participants, statuses, strict=True):
            if status == "confirmed":
                c = self.teachers[tid]["county"]
                confirmed_by_county[c] = confirmed_by_county.get(c, 0) + 1
        await TrainingSession.update(
            {
                TrainingSession.seats_taken: sum(confirmed_by_county.values()),
                TrainingSession.certificates_issued: issued,
            }
        ).where(TrainingSession.id == session_id)
        for c, n in confirmed_by_county.items():
            await CountyQuota.update({CountyQuota.seats_taken: n}).where(
                (CountyQuota.session == session_id) & (CountyQuota.county == self.county_by_code[c])
            )


async def _new_session(**kwargs: Any) -> int:
    return (await _insert_many(TrainingSession, [TrainingSession(**kwargs)]))[0]


async def _load(rng: random.Random, teacher_count: int | None) -> tuple[int, str]:
    """The demo world; returns (counties reused, title of the session running today)."""
    county_by_code, reused = await _counties()
    name_by_code = {c[0]: c[1] for c in COUNTIES}
    schools_by_county = await _schools(county_by_code, name_by_code)

    summer_id, exchange_id = await _insert_many(
        Programme,
        [
            Programme(
                slug="summer",
                name="暑期教师培训班",
                name_en="Summer teacher training",
                kind=ProgrammeKind.SUMMER,
                description="面向帮扶县一线教师的暑期集中培训，每年一期。",
                certificate_layout=CertificateLayout.LANDSCAPE,
            ),
            Programme(
                slug="jiangsu",
                name="江苏民进“彩虹行动”培训班",
                name_en="Jiangsu “Rainbow Action” exchange",
                kind=ProgrammeKind.EXCHANGE,
                description="由各县推荐、项目组遴选，赴江苏南通、常州跟岗学习。",
                certificate_layout=CertificateLayout.PORTRAIT,
            ),
        ],
    )

    cast = _Cast(rng, teacher_count, county_by_code, name_by_code, schools_by_county)

    # Nine summer sessions, 2011–2019.
    hosts = ["剑阁县", "武胜县", "成都市", "喜德县", "剑阁县", "武胜县", "成都市", "安龙县", "剑阁县"]
    for n in range(1, 10):
        year = 2010 + n
        start = date(year, 7, 14 + (n % 5))
        eligible = [c for c, *_rest, first in COUNTIES if first <= year]
        per_county = 150 // len(eligible)
        session_id = await _new_session(
            programme=summer_id,
            number=n,
            year=year,
            title=f"第{n}期暑期教师培训班",
            starts_on=start,
            ends_on=start + timedelta(days=3),
            venue=f"{hosts[n - 1]}教师进修学校",
            host_city=hosts[n - 1],
            host_institution="民进四川省委",
            capacity=per_county * len(eligible),
            mode=RegistrationMode.OPEN,
            status=SessionStatus.CLOSED,
            completion_hours=18.0,
            registration_opens_at=_local(date(year, 5, 10), time(9, 0)),
            registration_closes_at=_local(date(year, 6, 30), time(18, 0)),
            contact_name="李老师",
            contact_phone="028-00000000",
            description="四天集中培训：专家讲座、示范课、分组研讨。",
        )
        await CountyQuota.insert(
            *[CountyQuota(session=session_id, county=county_by_code[c], quota=per_county) for c in eligible]
        )
        blocks = await cast.make_blocks(session_id, start, 4, SUMMER_TOPICS)
        participants: list[int] = []
        for c in eligible:
            want = per_county - rng.randint(0, 3)
            pool = [t for t in cast.teacher_pool.get(c, []) if t not in participants]
            returning = rng.sample(pool, min(len(pool), int(want * 0.12)))
            fresh = await cast.new_teachers(c, want - len(returning))
            short = want - len(returning) - len(fresh)
            if short > 0:  # teacher_count reached: the county sends teachers who came before
                rest = [t for t in pool if t not in returning]
                returning += rng.sample(rest, min(len(rest), short))
            participants += returning + fresh
        await cast.enrol(
            session_id, year, participants, blocks, 18.0, 0.93, _local(date(year, 5, 12), time(9, 0))
        )

    # Six Jiangsu exchange cohorts, 2014–2019, alternating Nantong and Changzhou.
    for i, year in enumerate(range(2014, 2020)):
        city, institution = ("南通", "南通市教师发展中心") if i % 2 == 0 else ("常州", "常州市教师发展中心")
        start = date(year, 10, 15)
        session_id = await _new_session(
            programme=exchange_id,
            year=year,
            title=f"{year} 彩虹行动 {city}班",
            starts_on=start,
            ends_on=start + timedelta(days=4),
            venue=institution,
            host_city=f"{city}市",
            host_institution=institution,
            capacity=24,
            mode=RegistrationMode.NOMINATION,
            status=SessionStatus.CLOSED,
            completion_hours=24.0,
            nomination_deadline=_local(date(year, 9, 1), time(18, 0)),
            contact_name="张老师",
            contact_phone="0513-00000000",
            description="跟岗学习、同课异构、名校观摩。",
        )
        await CountyQuota.insert(
            *[CountyQuota(session=session_id, county=county_by_code[c], quota=6) for c in EXCHANGE_COUNTIES]
        )
        blocks = await cast.make_blocks(
            session_id, start, 5, ["名校观摩", "跟岗听课", "同课异构", "专题讲座", "教研沙龙"]
        )
        participants = []
        for c in EXCHANGE_COUNTIES:
            pool = [t for t in cast.teacher_pool.get(c, []) if t not in participants]
            participants += rng.sample(pool, min(len(pool), 6))
        await cast.enrol(
            session_id, year, participants, blocks, 24.0, 0.97, _local(date(year, 8, 20), time(9, 0))
        )
    await _exchange_travel_and_rooms(session_id, county_by_code)

    # Next year's session and cohort, published and open, so registration and nomination can be tried.
    this_year = datetime.now(LOCAL).year + 1
    start = date(this_year, 7, 15)
    upcoming = await _new_session(
        programme=summer_id,
        number=10,
        year=this_year,
        title="第10期暑期教师培训班",
        starts_on=start,
        ends_on=start + timedelta(days=3),
        venue="剑阁县教师进修学校",
        host_city="剑阁县",
        host_institution="民进四川省委",
        capacity=150,
        mode=RegistrationMode.OPEN,
        status=SessionStatus.PUBLISHED,
        completion_hours=18.0,
        registration_opens_at=datetime.now(UTC) - timedelta(days=1),
        registration_closes_at=_local(date(this_year, 6, 30), time(18, 0)),
        contact_name="李老师",
        contact_phone="028-00000000",
        description="四天集中培训：专家讲座、示范课、分组研讨。报名后请留意短信与邮件通知。",
    )
    await CountyQuota.insert(
        *[CountyQuota(session=upcoming, county=county_by_code[c], quota=15) for c, *_ in COUNTIES]
    )
    await cast.make_blocks(upcoming, start, 4, SUMMER_TOPICS)
    cohort = await _new_session(
        programme=exchange_id,
        year=this_year,
        title=f"{this_year} 彩虹行动 南通班",
        starts_on=date(this_year, 10, 15),
        ends_on=date(this_year, 10, 19),
        venue="南通市教师发展中心",
        host_city="南通市",
        host_institution="南通市教师发展中心",
        capacity=24,
        mode=RegistrationMode.NOMINATION,
        status=SessionStatus.PUBLISHED,
        completion_hours=24.0,
        nomination_deadline=_local(date(this_year, 9, 1), time(18, 0)),
        contact_name="张老师",
        contact_phone="0513-00000000",
        description="各县推荐，项目组遴选。",
    )
    await CountyQuota.insert(
        *[CountyQuota(session=cohort, county=county_by_code[c], quota=6) for c in EXCHANGE_COUNTIES]
    )
    await cast.make_blocks(
        cohort, date(this_year, 10, 15), 5, ["名校观摩", "跟岗听课", "同课异构", "专题讲座", "教研沙龙"]
    )
    await _demo_questions(upcoming, cohort)
    if teacher_count is not None and teacher_count > len(cast.used_ids):
        codes = [c[0] for c in COUNTIES]
        for i in range(teacher_count - len(cast.used_ids)):
            await cast.new_teachers(codes[i % len(codes)], 1)
    running = await _running_session(cast.teacher_pool, cast.teachers, county_by_code, cast.next_code)
    return reused, running


async def _exchange_travel_and_rooms(session_id: int, county_by_code: dict[str, int]) -> None:
    """The latest cohort's travel (a group from Liangshan, one from Jiange and Wusheng, one teacher flying on her
    own), its hotel and the rooming draft, made through the exchange service as an organiser would."""
    from training.core.actor import Actor
    from training.exchange import service as exchange
    from training.exchange.travel import LegDraft

    organiser = Actor(user_id=None, username="demo", display_name="演示数据", role="organiser")
    session = await get_session(session_id)
    eve = session.starts_on - timedelta(days=1)
    end = session.ends_on + timedelta(days=1)
    city = session.host_city.removesuffix("市")
    members = await exchange.members(organiser, session_id)
    liangshan = {county_by_code["513432"], county_by_code["513431"]}

    def leg(
        mode: str, number: str, route: tuple[str, str], day: date, hours: tuple[time, time], meet: str = ""
    ) -> LegDraft:
        return LegDraft(
            mode,
            number,
            route[0],
            route[1],
            _local(day, hours[0]),
            _local(day, hours[1]),
            meet,
            "19900000001" if meet else "",
        )

    to_jiangsu = leg("train", "G1974", ("成都东", city), eve, (time(7, 50), time(19, 30)), "周老师")
    home = leg("train", "G1975", (city, "成都东"), end, (time(8, 20), time(20, 5)))
    groups = {
        "凉山组": [
            leg("train", "K9484", ("西昌", "成都"), eve - timedelta(days=1), (time(8, 10), time(18, 30))),
            to_jiangsu,
            home,
        ],
        "剑阁·武胜组": [to_jiangsu, home],
    }
    for name, legs in groups.items():
        group_id = await exchange.create_group(organiser, session_id, name)
        for draft in legs:
            await exchange.add_leg(organiser, session_id, draft, group_id=group_id)
        ours = [m.enrollment_id for m in members if (m.county_id in liangshan) == (name == "凉山组")]
        await exchange.assign(organiser, session_id, ours, group_id)
    flyer = next(m for m in members if m.county_id not in liangshan)
    await exchange.set_exception(
        organiser, session_id, flyer.enrollment_id, own_legs=True, note="自行乘机；到达后由周老师接机。"
    )
    await exchange.add_leg(
        organiser,
        session_id,
        leg("flight", "3U8861", ("成都天府", f"{city}机场"), eve, (time(13, 5), time(15, 40)), "周老师"),
        enrollment_id=flyer.enrollment_id,
    )
    hotel = await exchange.add_hotel(
        organiser, session_id, f"{city}市教师发展中心培训楼", f"{city}市教育路 1 号"
    )
    await exchange.add_rooms(organiser, session_id, hotel, "301-310", 2)
    await exchange.add_rooms(organiser, session_id, hotel, "311-314", 1)
    await exchange.run_draft(organiser, session_id)


async def _demo_questions(summer_session: int, cohort: int) -> None:
    """Questions on next year's summer session and cohort (training/programmes/questions.py); the cohort's keys
    single_room and roommate feed the rooming draft."""

    diet = json.dumps(["无特殊要求", "清真", "素食"], ensure_ascii=False)
    rows = [
        (summer_session, "diet", "choice", "teacher", "饮食要求", diet, True),
        (summer_session, "arrival_time", "datetime", "teacher", "预计到达时间", "[]", False),
        (summer_session, "accommodation", "yesno", "teacher", "是否需要安排住宿？", "[]", True),
        (cohort, "single_room", "yesno", "teacher", "是否需要单人间？", "[]", True),
        (cohort, "roommate", "text", "teacher", "希望与哪位老师同住（可不填）", "[]", False),
        (cohort, "", "text", "coordinator", "推荐理由", "[]", True),
    ]
    await SessionQuestion.insert(
        *[
            SessionQuestion(
                session=session_id,
                key=key,
                kind=kind,
                visibility=visibility,
                label=label,
                choices=choices,
                required=required,
                position=position,
            )
            for position, (session_id, key, kind, visibility, label, choices, required) in enumerate(rows, 1)
        ]
    )


def today_blocks(now_local: datetime) -> list[tuple[str, time, time]]:
    """Today's (half_day, starts_at, ends_at): the usual morning, afternoon and evening, the one holding the
    current hour stretched so that it is open now whatever the hour the demo loads. Pure."""
    usual = [("morning", time(8, 30), time(11, 30)), ("afternoon", time(14, 0), time(17, 0))]
    usual.append(("evening", time(19, 0), time(21, 0)))
    hour = now_local.hour
    current = "morning" if hour < 12 else "afternoon" if hour < 18 else "evening"
    blocks = []
    for half, start, end in usual:
        if half == current:
            start = min(start, time(hour, 0))
            end = max(end, time(min(hour + 2, 23), 59 if hour + 2 >= 23 else 0))
        blocks.append((half, start, end))
    return blocks


async def _running_session(
    teacher_pool: dict[str, list[int]],
    teachers: dict[int, dict],
    county_by_code: dict[str, int],
    next_code: Any,
) -> str:
    """A three-day on-site training in Jiange from yesterday to tomorrow, 40 confirmed teachers, yesterday's
    attendance recorded; today's blocks are open for the scanner. Its own random stream keeps the history
    above identical whatever the day."""
    rng = random.Random(20191)
    now_local = datetime.now(LOCAL)
    today = now_local.date()
    outreach = (
        await _insert_many(
            Programme,
            [
                Programme(
                    slug="outreach",
                    name="送教下乡",
                    name_en="On-site county training",
                    kind=ProgrammeKind.OTHER,
                    description="专家到县里集中培训，两到三天。",
                    certificate_layout=CertificateLayout.LANDSCAPE,
                )
            ],
        )
    )[0]
    title = f"{today.year}年{today.month}月 送教下乡 剑阁站"
    session_id = (
        await _insert_many(
            TrainingSession,
            [
                TrainingSession(
                    programme=outreach,
                    year=today.year,
                    title=title,
                    starts_on=today - timedelta(days=1),
                    ends_on=today + timedelta(days=1),
                    venue="剑阁县教师进修学校",
                    host_city="剑阁县",
                    host_institution="民进四川省委",
                    capacity=40,
                    mode=RegistrationMode.OPEN,
                    status=SessionStatus.PUBLISHED,
                    completion_hours=12.0,
                    registration_opens_at=_local(today - timedelta(days=30), time(9, 0)),
                    registration_closes_at=_local(today - timedelta(days=2), time(18, 0)),
                    contact_name="李老师",
                    contact_phone="028-00000000",
                    description="三天现场培训：示范课与分组研讨。今天的签到已开放，可用扫码页试一试。",
                )
            ],
        )
    )[0]
    days = [
        (
            today - timedelta(days=1),
            [("morning", time(8, 30), time(11, 30)), ("afternoon", time(14, 0), time(17, 0))],
        ),
        (today, today_blocks(now_local)),
        (
            today + timedelta(days=1),
            [("morning", time(8, 30), time(11, 30)), ("afternoon", time(14, 0), time(17, 0))],
        ),
    ]
    block_rows = [
        Block(
            session=session_id,
            day=day,
            half_day=half,
            starts_at=start,
            ends_at=end,
            topic=SUMMER_TOPICS[i % len(SUMMER_TOPICS)],
            instructor=rng.choice(SURNAMES) + "老师",
            room="报告厅",
            hours=3.0 if half != "evening" else 2.0,
        )
        for i, (day, halves) in enumerate(days)
        for half, start, end in halves
    ]
    block_ids = await _insert_many(Block, block_rows)
    pool = teacher_pool.get("510823", [])
    participants = rng.sample(pool, min(len(pool), 40))
    jiange = county_by_code["510823"]
    created = _local(today - timedelta(days=20), time(10, 0))
    enrollment_ids = await _insert_many(
        Enrollment,
        [
            Enrollment(
                session=session_id,
                teacher=tid,
                county=jiange,
                school=teachers[tid]["school"][0],
                **teachers[tid]["snapshot"],
                status="confirmed",
                holds_seat=True,
                holds_quota=True,
                manual_code=next_code(),
                token_nonce="",
                source="demo",
                created_at=created,
                confirmed_at=created,
            )
            for tid in participants
        ],
    )
    yesterday = [(bid, row) for bid, row in zip(block_ids, block_rows, strict=True) if row.day < today]
    checkins = [
        CheckIn(
            enrollment=eid,
            block=bid,
            scanned_at=_local(row.day, row.starts_at) - timedelta(minutes=rng.randint(0, 25)),
            recorded_at=_local(row.day, row.starts_at),
            staff_name="现场 王老师",
            device_id="demo",
            client_id=f"demo-{eid}-{bid}",
        )
        for eid in enrollment_ids
        for bid, row in yesterday
        if rng.random() < 0.92
    ]
    await _insert_many(CheckIn, checkins, batch=800)
    await TrainingSession.update({TrainingSession.seats_taken: len(enrollment_ids)}).where(
        TrainingSession.id == session_id
    )
    await CountyQuota.insert(
        CountyQuota(session=session_id, county=jiange, quota=40, seats_taken=len(enrollment_ids))
    )
    return title


async def _hosting() -> None:
    """Host schools and mentors of Nantong and Changzhou (four schools per city, mentors of the main subjects in
    primary and junior grades), every exchange cohort paired by the automatic draft, and a host coordinator per
    city (HOST_ACCOUNTS)."""
    from training.core.actor import Actor, Role
    from training.hosting import service as hosting
    from training.hosting.importing import Checked, MentorRow
    from training.hosting.tables import HostSchool

    if await HostSchool.exists():
        return
    schools = {
        "南通市": [
            ("南通市城中小学", "崇川区"),
            ("南通市实验小学", "崇川区"),
            ("南通市第一初级中学", "崇川区"),
            ("南通市通州区实验中学", "通州区"),
        ],
        "常州市": [
            ("常州市局前街小学", "天宁区"),
            ("常州市觅渡桥小学", "天宁区"),
            ("常州市北郊初级中学", "新北区"),
            ("常州市第二十四中学", "钟楼区"),
        ],
    }
    subjects = [
        "语文",
        "数学",
        "英语",
        "科学",
        "道德与法治",
        "音乐",
        "体育",
        "美术",
        "信息技术",
        "物理",
        "化学",
        "生物",
        "历史",
        "地理",
        "心理健康",
        "学前教育",
    ]
    surnames, given = (
        "陈周顾王张刘朱吴钱孙徐沈",
        ["静", "海燕", "建国", "立新", "敏", "华", "磊", "婷", "军", "芳"],
    )
    rows: list[MentorRow] = []
    line = 1
    for city, city_schools in schools.items():
        for s_index, (school, district) in enumerate(city_schools):
            band = "primary" if s_index < 2 else "junior"
            for m_index, subject in enumerate(subjects):
                if (
                    m_index + s_index
                ) % 2:  # each school half the subjects; the two schools of a band cover all
                    continue
                line += 1
                name = (
                    surnames[line % len(surnames)] + given[(line * 3) % len(given)]
                )  # unique within a school
                rows.append(MentorRow(line, city, school, district, name, subject, band, 2 + line % 2))
    await hosting.import_schools(None, Checked(rows=rows), "demo")
    demo = Actor(None, "demo", "demo", Role.ORGANISER)
    for cohort in await hosting.visible_cohorts(demo):
        if cohort["teachers"]:
            await hosting.run_draft(demo, int(cohort["id"]))
    for username, password, name, city in HOST_ACCOUNTS:
        if not await StaffUser.exists().where(StaffUser.username == username):
            await accounts.create_user(username, password, "host", name, host_city=city)
