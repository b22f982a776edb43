"""SMS settings are checked at start: a missing credential stops start-up with one line naming the variable."""

from __future__ import annotations

import pytest

from training.config import ConfigError, load_settings

BASE = {"TRAINING_SECRET_KEY": "k" * 40, "TRAINING_DATA_DIR": "/tmp/training-test-var"}
ALIYUN = {
    **BASE,
    "TRAINING_SMS_PROVIDER": "aliyun",
    "TRAINING_SMS_ACCESS_KEY_ID": "LTAI5tTestKeyId",
    "TRAINING_SMS_ACCESS_KEY_SECRET": "secret",
    "TRAINING_SMS_SIGN_NAME": "培训项目组",
    "TRAINING_SMS_TEMPLATES": "default=SMS_100000001, code=SMS_100000002",
}


def test_no_provider_is_the_default() -> None:
    settings = load_settings(BASE)
    assert settings.sms_provider == "none" and not settings.sms_enabled


def test_a_complete_aliyun_configuration_loads() -> None:
    settings = load_settings(ALIYUN)
    assert settings.sms_enabled
    assert settings.sms_templates == {"default": "SMS_100000001", "code": "SMS_100000002"}


@pytest.mark.parametrize(
    ("change", "variable"),
    [
        ({"TRAINING_SMS_ACCESS_KEY_SECRET": ""}, "TRAINING_SMS_ACCESS_KEY_SECRET"),
        ({"TRAINING_SMS_ACCESS_KEY_ID": ""}, "TRAINING_SMS_ACCESS_KEY_ID"),
        ({"TRAINING_SMS_SIGN_NAME": ""}, "TRAINING_SMS_SIGN_NAME"),
        ({"TRAINING_SMS_TEMPLATES": "code=SMS_1"}, "TRAINING_SMS_TEMPLATES"),
        ({"TRAINING_SMS_TEMPLATES": "default"}, "TRAINING_SMS_TEMPLATES"),
        ({"TRAINING_SMS_PROVIDER": "twilio"}, "TRAINING_SMS_PROVIDER"),
        ({"TRAINING_SMS_ENDPOINT": "ftp://x"}, "TRAINING_SMS_ENDPOINT"),
        ({"TRAINING_SMS_TIMEOUT": "0"}, "TRAINING_SMS_TIMEOUT"),
        ({"TRAINING_SMS_PROVIDER": "tencent", "TRAINING_SMS_APP_ID": ""}, "TRAINING_SMS_APP_ID"),
        (
            {"TRAINING_SMS_PROVIDER": "tencent", "TRAINING_SMS_APP_ID": "1400006666"},
            "TRAINING_SMS_TEMPLATES",  # Tencent template ids are digits
        ),
    ],
)
def test_a_bad_sms_setting_names_its_variable(change: dict[str, str], variable: str) -> None:
    with pytest.raises(ConfigError) as error:
        load_settings({**ALIYUN, **change})
    assert str(error.value).startswith(variable)
