"""Human texts of this domain's error codes (English msgids; Chinese in locale/zh_Hans/.../enrollment.po)."""

from training.i18n import N_, register_messages

register_messages(
    {
        "invalid_text": N_("Remove the special characters."),
        "id_format": N_("An ID-card number has 18 characters: 17 digits and a digit or X."),
        "id_checksum": N_(
            "This ID-card number is not valid (the check digit does not match). Please check it."
        ),
        "id_birth_date": N_("The birth date in this ID-card number is not a real date."),
        "gender_mismatch": N_("This does not match the gender in the ID-card number."),
        "mobile_invalid": N_("Enter an 11-digit mainland mobile number, e.g. 13912345678."),
        "email_invalid": N_("Enter an email address like name@example.com."),
        "county_not_eligible": N_("This county is not part of this session."),
        "years_out_of_range": N_("Enter a number of years between 0 and 50."),
        "years_exceed_age": N_("That is more years than your age allows."),
        "consent_required": N_("Please agree to the privacy notice to register."),
        "registration_unavailable": N_("This session does not take online registrations."),
        "registration_not_open": N_("Registration has not opened yet."),
        "registration_closed": N_("Registration for this session has closed."),
        "already_registered": N_("You have already registered for this session."),
        "not_cancellable": N_("This registration can no longer be cancelled."),
        "cancel_certified": N_(
            "A certificate has been issued for this registration, so it can no longer be cancelled. "
            "If something about it is wrong, contact the organisers."
        ),
        "not_decidable": N_("Only pending, nominated or waiting registrations can be approved or rejected."),
        "lookup_not_found": N_("No registration matches this ID-card number and mobile number."),
        "nomination_unavailable": N_("This session does not take nominations."),
        "nomination_closed": N_("The nomination deadline has passed."),
        "session_not_taking_participants": N_(
            "This session takes no new participants (it is not published, or it is closed)."
        ),
        "quota_full": N_("Your county's quota for this session is used up."),
        "county_not_yours": N_("You can only nominate teachers of your own county."),
        "file_too_large": N_("The file is too large (at most {max_mb} MB). Split it into smaller files."),
        "too_many_rows": N_("The file has too many rows (at most {max_rows}). Split it into smaller files."),
        "file_unpacks_too_large": N_(
            "This spreadsheet expands to more than {max_mb} MB when opened. Copy the rows you need into a new file."
        ),
        "file_unreadable": N_("This file cannot be read. Upload an .xlsx or .csv file."),
        "missing_columns": N_("The file lacks these columns: {columns}."),
        "unknown_county": N_("Unknown county (give its name or 6-digit division code)."),
        "duplicate_in_file": N_("The same ID-card number appears earlier in this file."),
        "stored_as_number": N_(
            "This column is stored as a number, and Excel rounds long numbers (an ID-card number loses its last "
            "digits), so this cell was not imported. In Excel, select the column, choose Format Cells → Text, "
            "type the numbers again and upload the file again."
        ),
        "invalid_link": N_("This link is not valid or has expired. Look up your registration instead."),
    }
)
