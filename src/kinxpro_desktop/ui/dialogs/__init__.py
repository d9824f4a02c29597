"""ui dialogs package."""
