"""Site definitions: one TOML file a site (docs/sites.md), validated into one typed profile."""
