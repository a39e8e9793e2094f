"""The mapping from the LA's provider groups to scc's roles (SCC_OIDC_ROLES)."""

from __future__ import annotations

import pytest

from application.single_sign_on import RoleMapping


def test_the_first_listed_of_a_persons_groups_gives_the_role():
    roles = RoleMapping.parse("SCC Heads=head, SCC Caseworkers = Caseworker\n"
                              "8f2c3d1e-0000-4000-8000-000000000001=auditor,")

    assert roles.role_for(["SCC Caseworkers", "SCC Heads"]) == "head"
    assert roles.role_for(["All staff", "SCC Caseworkers"]) == "caseworker"
    assert roles.role_for(["8f2c3d1e-0000-4000-8000-000000000001"]) == "auditor"
    assert roles.role_for(["All staff"]) is None
    assert roles.role_for([]) is None


@pytest.mark.parametrize(("text", "says"), [
    ("", "SCC_OIDC_ROLES is empty"),
    ("SCC Heads", "'SCC Heads' is not group=role"),
    ("=head", "'=head' is not group=role"),
    ("SCC Heads=boss", "'boss' (for 'SCC Heads') is not a role; the roles are caseworker, "
                       "head, auditor, admin"),
])
def test_a_mapping_that_cannot_be_read_says_what_is_wrong(text, says):
    with pytest.raises(ValueError) as refusal:
        RoleMapping.parse(text)
    assert says in str(refusal.value)
