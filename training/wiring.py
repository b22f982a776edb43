"""The hooks through which lower packages reach higher ones, installed once per process.

A lower package never imports a higher one (docs/architecture.md): where it needs one, it keeps a small registry
(a module-level list or mapping with a `register` function and typed callables) and this module fills it.
`install()` runs in every entry point: `create_app` (the web process), `training.cli.run_with_database` (every
command that touches the database, the worker included) and the tests' database fixture. It is idempotent.
"""

from __future__ import annotations

_installed = False


def install() -> None:
    global _installed
    if _installed:
        return
    from training.accounts import sections as account_page
    from training.certificates import verifying
    from training.checkin import account_web as checkin_account
    from training.checkin import programme_checks as checkin_checks
    from training.enrollment import answers, answers_web, sections, snapshots
    from training.enrollment import programme_checks as enrollment_checks
    from training.exchange import web as exchange_web
    from training.ledger import web as ledger_web
    from training.notify import changes as change_notices
    from training.people import hooks as people
    from training.programmes import hooks as programmes
    from training.programmes import questions
    from training.survey import web as survey_web

    # The teacher's /me page (training/enrollment/sections.py).
    sections.register(verifying.SELF_SERVICE_SECTION)
    sections.register(ledger_web.SELF_SERVICE_SECTION)
    sections.register(answers_web.SELF_SERVICE_SECTION)
    sections.register(exchange_web.SELF_SERVICE_SECTION)
    # A staff account's page (training/accounts/sections.py).
    account_page.PAGE.register(checkin_account.ACCOUNT_SECTION)
    # A session's setup (training/programmes/hooks.py).
    programmes.check_block_deletion(checkin_checks.block_has_checkins)
    programmes.check_session_deletion(enrollment_checks.session_has_enrollments)
    programmes.count_seats(enrollment_checks.seats_held)
    programmes.listen(change_notices)
    # Whether a session question has answers (training/programmes/questions.py: versions and archiving).
    questions.register_answer_check(answers.has_answers)
    # A teacher's record (training/people/hooks.py).
    people.on_name_corrected(snapshots.correct_name)
    sections.register(survey_web.SELF_SERVICE_SECTION)
    # A certificate download that waits for the evaluation survey's response (training/survey).
    verifying.register_download_check(survey_web.certificate_gate)
    _installed = True
