"""The 学时 ledger: attended hours as the provincial continuing-education registries take them."""
