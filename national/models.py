"""The national officer role (CNM / Ministry staff following every region): granted by the
platform admin, held across all tenants, read-only. Not a tenant's membership: it opens no
tenant page and no applicant's personal data (a role in a tenant does that)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class NationalOfficer(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="national_officer",
                                verbose_name=_("agent·e national·e"))
    organisation = models.CharField(_("organisme"), max_length=200,
                                    help_text=_("Ex. : CNM, ministère de la Culture (DGCA)."))
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, related_name="+")
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("agent·e national·e")
        verbose_name_plural = _("agent·es nationaux·ales")

    def __str__(self):
        return f"{self.user} ({self.organisation})"
