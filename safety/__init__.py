"""AEs, SAEs, reporting deadlines as data, the alert sweep and the SAE PDF."""
