"""One Piccolo app for the whole service; migrations live in piccolo_migrations/ (training/paths.py finds it)."""

from piccolo.conf.apps import AppConfig

from training.accounts.tables import ApiToken, LoginSession, LoginThrottle, StaffUser
from training.audit.tables import AuditEntry
from training.certificates.tables import Certificate, CertificateException
from training.checkin.tables import CheckIn, StaffAssignment
from training.enrollment.answer_tables import EnrollmentAnswer
from training.enrollment.tables import Enrollment
from training.exchange.tables import Hotel, Occupancy, Room, TravelGroup, TravelLeg, Traveller
from training.hosting.tables import HostSchool, Mentor, Pairing
from training.ledger.tables import HoursStatement
from training.mail.tables import OutboxMessage
from training.notify.tables import ChangeNotice, NotifyPreference, ReminderPlan, ReminderSent
from training.paths import MIGRATIONS_DIR
from training.people.tables import County, School, Teacher, TeacherChangeRequest, TeacherContactCode
from training.programmes.question_tables import SessionQuestion
from training.programmes.tables import Block, CountyQuota, Programme, TrainingSession
from training.ratelimit import RateLimitHit
from training.survey.tables import Survey, SurveyQuestion, SurveyResponded, SurveyResponse

MIGRATIONS_FOLDER = MIGRATIONS_DIR

APP_CONFIG = AppConfig(
    app_name="training",
    migrations_folder_path=str(MIGRATIONS_FOLDER),
    table_classes=[
        County,
        School,
        Teacher,
        TeacherChangeRequest,
        TeacherContactCode,
        Programme,
        TrainingSession,
        CountyQuota,
        Block,
        Enrollment,
        CheckIn,
        Certificate,
        CertificateException,
        HoursStatement,
        StaffUser,
        LoginSession,
        RateLimitHit,
        LoginThrottle,
        OutboxMessage,
        NotifyPreference,
        ReminderPlan,
        ReminderSent,
        ChangeNotice,
        AuditEntry,
        ApiToken,
        StaffAssignment,
        TravelGroup,
        Traveller,
        TravelLeg,
        Hotel,
        Room,
        Occupancy,
        SessionQuestion,
        EnrollmentAnswer,
        Survey,
        SurveyQuestion,
        SurveyResponse,
        SurveyResponded,
        HostSchool,
        Mentor,
        Pairing,
    ],
    migration_dependencies=[],
    commands=[],
)
