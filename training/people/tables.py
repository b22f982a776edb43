from piccolo.columns import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    OnDelete,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from training.people.states import (
    ChangeRequestStatus,
    CodeChannel,
    CodePurpose,
    DecidedVia,
    Origin,
    SchoolLevel,
)


class County(Table, tablename="county"):
    """A county-level division (GB/T 2260 code); `aided` marks the programme's 帮扶点."""

    id: Serial
    code = Varchar(length=6, unique=True)
    name = Varchar(length=64)
    name_en = Varchar(length=64, default="")
    province = Varchar(length=32)
    prefecture = Varchar(length=64, default="")
    aided = Boolean(default=True, index=True)
    created_at = Timestamptz(default=TimestamptzNow())


class School(Table, tablename="school"):
    id: Serial
    county = ForeignKey(County, on_delete=OnDelete.restrict, index=True)
    name = Varchar(length=128)
    level = Varchar(length=16, default=SchoolLevel.OTHER, index=True, choices=SchoolLevel)
    created_at = Timestamptz(default=TimestamptzNow())

    # UNIQUE (county, name): a unique index created in piccolo_migrations (SQLite cannot ADD CONSTRAINT)


class Teacher(Table, tablename="teacher"):
    """One person across the years. The ID-card number is kept only as a keyed hash (for matching),
    an AES-GCM ciphertext (for the rare organiser who must see it) and a masked form."""

    id: Serial
    id_hash = Varchar(length=64, unique=True)
    id_encrypted = Text()
    id_masked = Varchar(length=18)
    name = Varchar(length=64, index=True)
    gender = Varchar(length=8, default="")  # male / female
    ethnicity = Varchar(length=16, default="")
    birth_date = Date(null=True, default=None)
    phone_hash = Varchar(length=64, index=True)
    phone_encrypted = Text()
    phone_masked = Varchar(length=16)
    email = Varchar(length=254, default="")
    county = ForeignKey(County, on_delete=OnDelete.restrict, index=True)
    school = ForeignKey(School, on_delete=OnDelete.set_null, null=True, index=True)
    school_name = Varchar(length=128, default="")
    subject = Varchar(length=32, default="", index=True)
    grade_band = Varchar(length=16, default="")  # kindergarten / primary / junior / senior / vocational
    title = Varchar(length=32, default="")  # professional title (职称)
    years_teaching = Integer(null=True, default=None)
    erased = Boolean(default=False)  # PIPL erasure: personal fields blanked, statistics kept
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class TeacherChangeRequest(Table, tablename="teacher_change_request"):
    """What a registration, nomination or import said about an existing teacher that differs from her record.
    Nothing of it reaches the record until it is proven (a code sent to the contact on file, her own self-service
    link) or an organiser confirms it; see docs/people.md."""

    id: Serial
    teacher = ForeignKey(Teacher, on_delete=OnDelete.cascade, index=True)
    enrollment_id = Integer(
        null=True, default=None, index=True
    )  # the enrollment whose submission proposed it
    origin = Varchar(length=16, choices=Origin)
    status = Varchar(length=16, default=ChangeRequestStatus.PENDING, index=True, choices=ChangeRequestStatus)
    proposed_encrypted = Text()  # AES-GCM of {field: new value}: personal values are never stored plain
    summary = JSON(default={})  # {field: [old, new]} for display, masked where personal
    requested_by = Integer(null=True, default=None)  # staff user (nomination, import)
    decided_by = Integer(null=True, default=None)  # staff user who confirmed or rejected
    decided_via = Varchar(length=16, default=DecidedVia.UNDECIDED, choices=DecidedVia)
    reason = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
    decided_at = Timestamptz(null=True, default=None)


class TeacherContactCode(Table, tablename="teacher_contact_code"):
    """A one-time code: to prove a new phone or e-mail (sent to it), or to prove a pending change request
    (sent to the contact on file). Only a keyed hash of the code is kept."""

    id: Serial
    teacher = ForeignKey(Teacher, on_delete=OnDelete.cascade, index=True)
    purpose = Varchar(length=16, choices=CodePurpose)
    change_request = Integer(null=True, default=None)
    channel = Varchar(length=8, choices=CodeChannel)
    target_masked = Varchar(length=254, default="")
    value_encrypted = Text(default="")  # the new phone or e-mail, for purpose phone / email
    code_hash = Varchar(length=96)
    attempts = Integer(default=0)
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
