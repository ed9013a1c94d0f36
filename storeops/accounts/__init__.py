"""Users, permission roles (RBAC), stores (the unit of scope), API tokens, login security."""
