"""Safety pages: AE entry, SAE cases and their obligations, the PI safety dashboard, SAE PDF."""
