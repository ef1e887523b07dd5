from .portal import (InvitationFactory, MembershipFactory, OrganizationFactory,  # noqa: F401
                     SignatoryFactory, TenantFactory, UserFactory)
from .calls import (AppraisalCriterionFactory, CallFactory, CategoryFactory,  # noqa: F401
                    CriterionFactory, DocumentRequirementFactory, TrackFactory)
