from datetime import date

from training.rendering.templates import TEMPLATES_DIR, build_environment, date_range


def test_a_one_day_session_shows_a_single_date() -> None:
    assert date_range(date(2026, 11, 29), date(2026, 11, 29)) == "2026-11-29"


def test_a_longer_session_shows_its_first_and_last_day() -> None:
    assert date_range(date(2026, 11, 29), date(2026, 12, 1)) == "2026-11-29 – 2026-12-01"


def test_the_filter_is_available_to_templates() -> None:
    template = build_environment().from_string("{{ s.starts_on|date_range(s.ends_on) }}")
    one_day = {"starts_on": date(2026, 11, 29), "ends_on": date(2026, 11, 29)}
    assert template.render(s=one_day) == "2026-11-29"


def test_no_template_writes_a_session_range_by_hand() -> None:
    # a hand-written "{{ starts_on }} – {{ ends_on }}" shows "X – X" for one-day sessions
    offenders = [
        str(path.relative_to(TEMPLATES_DIR))
        for path in TEMPLATES_DIR.rglob("*")
        if path.is_file() and "starts_on|iso_date }} –" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []


def test_the_plain_text_email_reads_as_chinese_with_full_width_colons() -> None:
    from training import i18n
    from training.rendering.templates import render_standalone

    session = {
        "title": "耐久测试班",
        "starts_on": date(2026, 11, 29),
        "ends_on": date(2026, 11, 29),
        "host_city": "广元",
        "venue": "剑阁中学",
        "contact_name": "",
    }
    context = {"kind": "confirmation", "name": "王老师", "session": session, "manual_code": "ABCD-EFGH"}
    with i18n.language("zh_Hans"):
        text = render_standalone("enrollment/mail.txt", {**context, "token": "t", "link": "https://x/me/t"})
    assert "培训班：耐久测试班" in text and "日期：2026-11-29\n" in text
    assert "地点：广元 剑阁中学" in text and "签到码：ABCD-EFGH" in text


def test_a_label_colon_is_full_width_in_chinese_and_ascii_in_english() -> None:
    from training import i18n

    template = build_environment().from_string('{{ _("Capacity")|colon }}<strong>30</strong>')
    with i18n.language("zh_Hans"):
        chinese = template.render()
    with i18n.language("en"):
        english = template.render()
    assert chinese.endswith("：<strong>30</strong>") and ": " not in chinese
    assert english == "Capacity: <strong>30</strong>"


def test_no_template_puts_an_ascii_colon_after_a_translated_label() -> None:
    # "{{ _("Capacity") }}: " reads "容量: " in Chinese; the colon filter picks the page language's colon
    import re

    pattern = re.compile(r"\}\}\s*:\s")
    offenders = [
        f"{path.relative_to(TEMPLATES_DIR)}:{number}"
        for path in TEMPLATES_DIR.rglob("*.html")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert offenders == []
