"""Storage: the only package that contains SQL."""

from music_time_machine.store.sqlite import Store, open_store

__all__ = ["Store", "open_store"]
