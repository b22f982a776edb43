from datetime import UTC, date, datetime, time

from hypothesis import given
from hypothesis import strategies as st

from training.programmes.ics import escape_text, fold_line, session_ics, unfold

SESSION = {
    "id": 10,
    "title": "第10期暑期教师培训班",
    "starts_on": date(2020, 7, 15),
    "ends_on": date(2020, 7, 18),
    "venue": "剑阁县教师进修学校",
    "host_city": "剑阁县",
    "description": "四天集中培训; 专家讲座, 示范课",
    "contact_name": "李老师",
    "contact_phone": "028-00000000",
}
STAMP = datetime(2020, 5, 1, 1, 2, 3, tzinfo=UTC)


def block(i: int, day: date, start: time, end: time, **extra: object) -> dict:
    return {
        "id": i,
        "day": day,
        "starts_at": start,
        "ends_at": end,
        "topic": f"专题{i}",
        "hours": 3.0,
        **extra,
    }


def test_each_block_becomes_an_event_in_china_time_with_a_stable_uid() -> None:
    blocks = [
        block(2, date(2020, 7, 15), time(14, 0), time(17, 0), room="多功能教室"),
        block(1, date(2020, 7, 15), time(8, 30), time(11, 30), instructor="王老师"),
    ]
    text = session_ics(SESSION, blocks, uid_domain="example.org", stamp=STAMP)
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
    lines = unfold(text)
    assert lines.count("BEGIN:VEVENT") == 2
    assert "TZID:Asia/Shanghai" in lines
    starts = [line for line in lines if line.startswith("DTSTART;TZID")]
    assert starts == [
        "DTSTART;TZID=Asia/Shanghai:20200715T083000",
        "DTSTART;TZID=Asia/Shanghai:20200715T140000",
    ]
    assert "UID:session-10-block-1@example.org" in lines
    assert "DTSTAMP:20200501T010203Z" in lines
    assert "LOCATION:剑阁县 · 剑阁县教师进修学校 · 多功能教室" in lines


def test_without_blocks_one_all_day_event_spans_the_dates_with_exclusive_end() -> None:
    lines = unfold(session_ics(SESSION, [], stamp=STAMP))
    assert "DTSTART;VALUE=DATE:20200715" in lines
    assert "DTEND;VALUE=DATE:20200719" in lines
    assert "DESCRIPTION:四天集中培训\\; 专家讲座\\, 示范课\\n联系人 李老师 028-00000000" in lines


def test_cancelled_blocks_are_left_out() -> None:
    blocks = [
        block(1, date(2020, 7, 15), time(8, 30), time(11, 30)),
        block(2, date(2020, 7, 15), time(14, 0), time(17, 0), cancelled=True),
    ]
    assert unfold(session_ics(SESSION, blocks, stamp=STAMP)).count("BEGIN:VEVENT") == 1


def test_text_escaping() -> None:
    assert escape_text("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"


@given(st.text(min_size=0, max_size=300))
def test_folded_lines_fit_75_octets_and_unfold_to_the_original(value: str) -> None:
    line = "SUMMARY:" + escape_text(value)
    folded = fold_line(line)
    assert all(len(part.encode("utf-8")) <= 75 for part in folded.split("\r\n"))
    assert folded.replace("\r\n ", "") == line
