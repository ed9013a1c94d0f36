"""The UI language is the user's own setting: English for a user who chose it, Chinese otherwise,
whatever the browser's Accept-Language says."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.utils.translation import trans_real

from storeops.accounts.enums import Language


@pytest.fixture(scope="session", autouse=True)
def _catalogue():
    """The .mo files are build output (make install); build them if this checkout has none, and
    forget any catalogue this process loaded before they existed."""
    call_command("i18n-compile", verbosity=0)
    trans_real._translations = {}


def test_english_user_gets_english_workbench(web_as, yunying):
    yunying.language = Language.EN
    yunying.save(update_fields=["language"])
    response = web_as(yunying).get("/workbench/")
    assert response.status_code == 200
    assert response["Content-Language"] == "en"
    page = response.content.decode()
    assert '<html lang="en">' in page
    for text in ("Workbench", "My tasks", "Awaiting my approval", "Alerts", "Log out"):
        assert text in page, text
    for text in ("工作台", "我的任务", "待我审批", "退出"):
        assert text not in page, text


def test_chinese_user_with_english_browser_gets_chinese(web_as, kefu):
    assert kefu.language == Language.ZH_HANS
    response = web_as(kefu).get("/workbench/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.status_code == 200
    assert response["Content-Language"] == "zh-hans"
    page = response.content.decode()
    assert '<html lang="zh-CN">' in page
    for text in ("工作台", "我的任务", "待我审批", "预警"):
        assert text in page, text
    assert "Workbench" not in page


def test_visitor_with_english_browser_gets_chinese_login(client, db):
    page = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "登录" in page
    assert "Log in" not in page


def test_language_switch_confirms_in_the_new_language(web_as, kefu):
    client = web_as(kefu)
    response = client.post("/account/language/", {"language": "en"}, follow=True)
    page = response.content.decode()
    assert "Interface language saved" in page
    assert "My settings" in page
    kefu.refresh_from_db()
    assert kefu.language == Language.EN


def test_every_message_has_an_english_translation():
    import polib
    from django.conf import settings

    po_path = settings.LOCALE_PATHS[0] / "en" / "LC_MESSAGES" / "django.po"
    catalogue = polib.pofile(str(po_path))
    untranslated = [e.msgid for e in catalogue.untranslated_entries()]
    fuzzy = [e.msgid for e in catalogue.fuzzy_entries()]
    assert not untranslated, untranslated
    assert not fuzzy, fuzzy


def test_english_user_gets_english_403_page(web_as, kefu):
    kefu.language = Language.EN
    kefu.save(update_fields=["language"])
    response = web_as(kefu).get("/org/roles/")
    assert response.status_code == 403
    page = response.content.decode()
    assert "Access denied" in page
    assert "You do not have permission to do this" in page
    assert "没有权限" not in page
