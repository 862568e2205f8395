"""The web workspace: staff pages (intake, inbox, case, registries) and the citizen pages."""
