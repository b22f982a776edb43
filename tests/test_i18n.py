"""Every message the interface shows has a Simplified Chinese translation."""

import importlib.util
from pathlib import Path

from training import i18n


def test_every_msgid_in_code_and_templates_is_translated() -> None:
    spec = importlib.util.spec_from_file_location(
        "i18n_missing", Path(__file__).parent.parent / "tools/i18n_missing.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.used_msgids(), "extraction found nothing: the checker itself is broken"
    missing = module.missing()
    assert not missing, "untranslated (add them with tools/i18n_add.py):\n" + "\n".join(
        f"{where}\t{msgid}" for msgid, where in missing.items()
    )


def test_language_switch() -> None:
    with i18n.language("zh_Hans"):
        assert i18n._("Log in") == "登录"
    with i18n.language("en"):
        assert i18n._("Log in") == "Log in"


def test_no_error_code_is_registered_twice_with_different_texts() -> None:
    from training.app import DOMAIN_WEB_MODULES

    for name in DOMAIN_WEB_MODULES:
        __import__(name)
    assert i18n.message_conflicts() == []


def test_one_english_message_has_one_chinese_translation_across_catalogues() -> None:
    """Catalogues are merged: the same msgid translated differently in two domains would show the wrong one."""
    from babel.messages.pofile import read_po

    seen: dict[str, dict[str, str]] = {}
    for path in sorted(i18n.LOCALE_DIR.glob("zh_Hans/LC_MESSAGES/*.po")):
        with path.open("rb") as handle:
            for message in read_po(handle, locale="zh"):
                if message.id and message.string and isinstance(message.id, str):
                    seen.setdefault(message.id, {})[path.stem] = str(message.string)
    conflicts = {msgid: by_domain for msgid, by_domain in seen.items() if len(set(by_domain.values())) > 1}
    assert not conflicts, f"give these distinct msgids (or the same translation): {conflicts}"


def test_chinese_translations_use_full_width_colons() -> None:
    """“剑阁县: 已推荐” looks broken in Chinese text; a colon between words is “：” (times like 08:30 keep “:”)."""
    import re

    ascii_colon = re.compile(r":(?!\d)")
    offenders = {
        msgid: form
        for msgid, translation in i18n.catalogue("zh_Hans").items()
        for form in ([translation] if isinstance(translation, str) else translation)
        if ascii_colon.search(form)
    }
    assert not offenders, offenders
