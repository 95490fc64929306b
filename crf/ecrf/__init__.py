"""One module per eCRF: its Django form, derive/hard/soft checks, explanation, and registration."""
