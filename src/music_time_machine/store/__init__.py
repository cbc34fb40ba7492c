"""Storage: the only package that contains SQL."""

from music_time_machine.store.sqlite import Store, as_store_error, open_store

__all__ = ["Store", "as_store_error", "open_store"]
