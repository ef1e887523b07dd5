from .portal import (InvitationFactory, MembershipFactory, OrganizationFactory,  # noqa: F401
                     SignatoryFactory, TenantFactory, UserFactory)
