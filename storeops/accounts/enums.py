from django.db import models
from django.utils.translation import gettext_lazy as _


class Platform(models.TextChoices):
    TAOBAO = "taobao", _("淘宝")
    TMALL = "tmall", _("天猫")
    JD = "jd", _("京东")
    PDD = "pdd", _("拼多多")
    DOUYIN = "douyin", _("抖音")
    OWN_MALL = "own_mall", _("公司商城")


class Language(models.TextChoices):
    ZH_HANS = "zh-hans", "简体中文"
    EN = "en", "English"


# Set at login when the user's role requires two-factor and none is set up yet.
SESSION_2FA_KEY = "storeops_2fa_setup_required"
