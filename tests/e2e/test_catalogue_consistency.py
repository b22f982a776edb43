"""Found by the journeys: every domain's catalogue is merged into one, so the same English msgid translated two
ways in two domains showed the last file's text everywhere ("Subject" became the email's 主题 on the teachers'
registration form, a teacher's "Name" became 名称, the certificate decision "Eligible" became 可参加)."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from babel.messages.pofile import read_po

import training

CATALOGUES = Path(training.__file__).parent / "locale" / "zh_Hans" / "LC_MESSAGES"


def test_no_msgid_is_translated_differently_in_two_domains() -> None:
    seen: dict[str, dict[str, str]] = defaultdict(dict)
    for path in sorted(CATALOGUES.glob("*.po")):
        with path.open("rb") as handle:
            for message in read_po(handle):
                if message.id and isinstance(message.id, str) and message.string:
                    seen[message.id][path.stem] = str(message.string)
    conflicts = {msgid: where for msgid, where in seen.items() if len(set(where.values())) > 1}
    assert conflicts == {}


def test_the_registration_form_says_subject_and_name_as_a_teacher_means_them() -> None:
    from training.i18n import gettext, language

    with language("zh_Hans"):
        assert (gettext("Subject"), gettext("Name"), gettext("Eligible")) == ("学科", "姓名", "符合条件")
