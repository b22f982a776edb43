"""Demo data: the 2019 summer session's evaluation survey, anonymous, with about three in four of its confirmed
teachers' answers, so the results page has something to show. Written straight to the tables (no mail)."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime

from training import db
from training.survey.states import QuestionKind, SurveyStatus

QUESTIONS = (
    (QuestionKind.RATING, "对本期培训的总体满意度", True, ()),
    (QuestionKind.RATING, "专家讲座对教学工作的帮助", True, ()),
    (QuestionKind.RATING, "食宿与会务安排", True, ()),
    (QuestionKind.SINGLE, "收获最大的环节", True, ("专家讲座", "示范课", "分组研讨", "经验交流")),
    (
        QuestionKind.MULTIPLE,
        "希望今后增加的内容",
        False,
        ("班级管理", "信息技术应用", "心理健康教育", "学科教研"),
    ),
    (QuestionKind.TEXT, "意见和建议", False, ()),
)
TEXTS = (
    "示范课很实用，回去就能用在课堂上。",
    "希望分组研讨的时间再长一些。",
    "建议提前发放讲座资料。",
    "住宿离培训地点有点远。",
    "专家讲得很接地气，收获很大！",
    "希望明年还能参加。",
)


async def load_survey(session_title: str = "第9期暑期教师培训班", seed: int = 2019) -> int | None:
    """The survey of the demo's 2019 summer session; returns its id (None when that session is missing)."""
    rng = random.Random(seed)  # its own generator: the rest of the demo stays as it was
    session = await db.fetch_one('SELECT "id" FROM "training_session" WHERE "title" = {}', session_title)
    if session is None:
        return None
    survey_id = await db.insert(
        "survey",
        {
            "session": session["id"],
            "title": f"{session_title} 满意度测评",
            "intro": "请根据您的真实感受填写，约需 3 分钟。",
            "anonymous": True,
            "status": SurveyStatus.PUBLISHED,
            "announced_at": datetime(2019, 7, 21, 9, 5, tzinfo=UTC),  # 17:05 local, as the last block ended
        },
    )
    assert survey_id is not None
    question_ids = []
    for position, (kind, prompt, required, options) in enumerate(QUESTIONS, start=1):
        question_ids.append(
            await db.insert(
                "survey_question",
                {
                    "survey": survey_id,
                    "position": position,
                    "kind": kind,
                    "prompt": prompt,
                    "required": required,
                    "options": json.dumps(list(options), ensure_ascii=False),
                },
            )
        )
    enrollments = await db.fetch(
        'SELECT "id", "county" FROM "enrollment" WHERE "session" = {} AND "status" = \'confirmed\' ORDER BY "id"',
        session["id"],
    )
    used: set[int] = set()
    for e in enrollments:
        if rng.random() > 0.76:
            continue
        answers: dict[str, object] = {}
        for qid, (kind, _, _required, options) in zip(question_ids, QUESTIONS, strict=True):
            if kind is QuestionKind.RATING:
                answers[str(qid)] = rng.choices((1, 2, 3, 4, 5), weights=(1, 2, 8, 30, 40))[0]
            elif kind is QuestionKind.SINGLE:
                answers[str(qid)] = rng.choices(range(len(options)), weights=(3, 5, 3, 2))[0]
            elif kind is QuestionKind.MULTIPLE and rng.random() < 0.8:
                answers[str(qid)] = sorted(rng.sample(range(len(options)), rng.randint(1, 3)))
            elif kind is QuestionKind.TEXT and rng.random() < 0.25:
                answers[str(qid)] = rng.choice(TEXTS)
        await db.insert("survey_responded", {"survey": survey_id, "enrollment": e["id"]})
        response_id = rng.randrange(1, 2**31 - 1)
        while response_id in used:
            response_id = rng.randrange(1, 2**31 - 1)
        used.add(response_id)
        await db.insert(
            "survey_response",
            {
                "id": response_id,
                "survey": survey_id,
                "county": e["county"],
                "answers": json.dumps(answers, ensure_ascii=False),
            },
        )
    return survey_id
