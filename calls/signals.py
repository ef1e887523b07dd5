"""The cached public call pages (calls.selectors) are forgotten when a call or an item under
it is saved or deleted. (call_clone's bulk_create of the criteria sends no signal; the new
call's save, in the same transaction, forgets them when it commits.)"""

from django.db.models.signals import post_delete, post_save

from .models import (AppraisalCriterion, Call, Category, DocumentRequirement,
                     EligibilityCriterion, Track)
from .selectors import forget_calls


def _call_changed(sender, instance, **kwargs):
    forget_calls(instance.tenant_id)


def _item_changed(sender, instance, **kwargs):
    # The base manager: also outside a tenant scope (a tenant's deletion cascading).
    tenant_id = (Call._base_manager.filter(pk=instance.call_id)
                 .values_list("tenant_id", flat=True).first())
    if tenant_id is not None:
        forget_calls(tenant_id)


for _signal in (post_save, post_delete):
    _signal.connect(_call_changed, sender=Call, dispatch_uid=f"calls_cache_{id(_signal)}_call")
    for _model in (Track, Category, EligibilityCriterion, AppraisalCriterion,
                   DocumentRequirement):
        _signal.connect(_item_changed, sender=_model,
                        dispatch_uid=f"calls_cache_{id(_signal)}_{_model.__name__}")
