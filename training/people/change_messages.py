"""Human texts of the teacher-record error codes (English msgids; Chinese in locale/zh_Hans/.../teachers.po)."""

from training.i18n import N_, register_messages

register_messages(
    {
        "teacher_of_another_county": N_(
            "This teacher is on file in another county: you can only nominate teachers of your own county."
        ),
        "id_conflicts_with_record": N_(
            "This ID-card number is on file with another name or birth date. Check the row; if the record is wrong, "
            "an organiser corrects it on the teacher's page."
        ),
        "teacher_record_incomplete": N_(
            "This teacher's record lacks details a nomination needs; ask the organisers to complete it."
        ),
        "change_already_decided": N_("This change has already been confirmed or rejected."),
        "code_wrong": N_("This code is not right. Check the latest message and try again."),
        "code_expired": N_("This code has expired. Ask for a new one."),
        "code_locked": N_("Too many wrong attempts with this code. Ask for a new one."),
        "code_no_contact": N_(
            "There is no contact on file to send a code to. Ask the organisers to confirm."
        ),
        "sms_unavailable": N_(
            "Text messages cannot be sent yet: a new mobile number is confirmed by the organisers. Contact them."
        ),
        "link_not_proven": N_(
            "This link was given to whoever made this registration, so it cannot change your details. Use the code "
            "sent to the contact on file, or the link in an earlier email."
        ),
        "nothing_changed": N_("Nothing was changed."),
    }
)
