"""The PySide6 window: screens, Qt models and charts, over the sync facade and store queries."""
