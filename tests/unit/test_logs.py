"""Unexpected failures are logged with their stack but never their message."""

from __future__ import annotations

import logging

from rm_desk.logs import log_failure


def _fail_with_customer_data() -> None:
    try:
        raise KeyError("张伟 13812345678")
    except KeyError as inner:
        raise ValueError("balance 1250000.00 of 张伟") from inner


def test_a_failure_is_logged_with_types_and_lines_but_no_message(caplog):
    caplog.set_level(logging.ERROR)
    try:
        _fail_with_customer_data()
    except ValueError as error:
        log_failure(logging.getLogger("rm_desk.test"), "sync round failed unexpectedly", error)

    text = caplog.text
    assert "sync round failed unexpectedly: ValueError" in text
    assert "_fail_with_customer_data" in text and "KeyError" in text
    for secret in ("张伟", "13812345678", "1250000"):
        assert secret not in text
