"""Turn reviewed YAML content about ALL into printable caregiver handouts."""
