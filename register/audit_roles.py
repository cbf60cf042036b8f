"""PostgreSQL: the rights of the role the application connects as, so that even it cannot
change or remove audit entries (docs/security.md). Migrations run as the tables' owner; the
application runs as this role, which may read and append to the audit tables and nothing
more, and may read and write the rest of the register."""

AUDIT_TABLES = ("audit_entries", "audit_references", "audit_checkpoints")


def application_role_grants(role: str) -> list[str]:
    """The statements that give `role` (an existing login role) its rights."""
    if not role.replace("_", "").isalnum():
        raise ValueError(f"{role!r} is not a plain role name")
    audit = ", ".join(AUDIT_TABLES)
    return [
        f"GRANT USAGE ON SCHEMA public TO {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
        f"REVOKE UPDATE, DELETE, TRUNCATE ON {audit} FROM {role}",
        # The chain's head is updated with every append: that is its job (it is signed).
        f"GRANT SELECT, UPDATE ON audit_head TO {role}",
        f"REVOKE DELETE, TRUNCATE ON audit_head FROM {role}",
    ]
