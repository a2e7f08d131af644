"""A dictionary-backed stand-in for the few ``winreg`` calls autostart uses (the OS API cannot run here).

It keeps winreg's observable behaviour that our code depends on: key paths
and value names are case-insensitive, a missing key or value raises
``FileNotFoundError``, handles are context managers, writing through a handle
opened for reading raises ``PermissionError``, and a hive can be made
read-only (a locked-down profile) to exercise the error path.
"""

from __future__ import annotations

from typing import Any

KEY_QUERY_VALUE = 0x0001
KEY_SET_VALUE = 0x0002
KEY_READ = 0x20019
KEY_WRITE = 0x20006
REG_SZ = 1
REG_BINARY = 3


class _Handle:
    def __init__(self, registry: FakeWinreg, hive: str, path: str, access: int) -> None:
        self.registry, self.hive, self.path, self.access = registry, hive, path, access
        self.closed = False

    def __enter__(self) -> _Handle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.Close()

    def Close(self) -> None:  # noqa: N802 - winreg's name
        self.closed = True


class FakeWinreg:
    HKEY_CURRENT_USER = "HKEY_CURRENT_USER"
    HKEY_LOCAL_MACHINE = "HKEY_LOCAL_MACHINE"
    KEY_QUERY_VALUE = KEY_QUERY_VALUE
    KEY_SET_VALUE = KEY_SET_VALUE
    KEY_READ = KEY_READ
    KEY_WRITE = KEY_WRITE
    REG_SZ = REG_SZ
    REG_BINARY = REG_BINARY

    def __init__(self) -> None:
        # (hive, lower-case key path) -> {lower-case value name: (value, type)}
        self.keys: dict[tuple[str, str], dict[str, tuple[Any, int]]] = {}
        self.read_only_hives: set[str] = set()
        self.open_handles: list[_Handle] = []

    # -- test helpers -------------------------------------------------------------------------
    def put(self, hive: str, path: str, name: str, value: Any, kind: int = REG_SZ) -> None:
        self.keys.setdefault((hive, path.lower()), {})[name.lower()] = (value, kind)

    def get(self, hive: str, path: str, name: str) -> Any | None:
        entry = self.keys.get((hive, path.lower()), {}).get(name.lower())
        return None if entry is None else entry[0]

    # -- the winreg API ---------------------------------------------------------------------------
    def _handle(self, hive: str, path: str, access: int) -> _Handle:
        handle = _Handle(self, hive, path.lower(), access)
        self.open_handles.append(handle)
        return handle

    def OpenKey(self, key: str, sub_key: str, reserved: int = 0, access: int = KEY_READ) -> _Handle:  # noqa: N802
        if (key, sub_key.lower()) not in self.keys:
            raise FileNotFoundError(2, "The system cannot find the file specified")
        return self._handle(key, sub_key, access)

    def CreateKeyEx(self, key: str, sub_key: str, reserved: int = 0, access: int = KEY_WRITE) -> _Handle:  # noqa: N802
        if key in self.read_only_hives:
            raise PermissionError(13, "Access is denied")
        self.keys.setdefault((key, sub_key.lower()), {})
        return self._handle(key, sub_key, access)

    def QueryValueEx(self, handle: _Handle, name: str) -> tuple[Any, int]:  # noqa: N802
        assert not handle.closed
        try:
            return self.keys[(handle.hive, handle.path)][name.lower()]
        except KeyError:
            raise FileNotFoundError(2, "The system cannot find the file specified") from None

    def SetValueEx(self, handle: _Handle, name: str, reserved: int, kind: int, value: Any) -> None:  # noqa: N802
        assert not handle.closed
        if not handle.access & KEY_SET_VALUE or handle.hive in self.read_only_hives:
            raise PermissionError(5, "Access is denied")
        if kind == REG_SZ and not isinstance(value, str):
            raise TypeError("REG_SZ needs a str")
        self.keys[(handle.hive, handle.path)][name.lower()] = (value, kind)

    def DeleteValue(self, handle: _Handle, name: str) -> None:  # noqa: N802
        assert not handle.closed
        if not handle.access & KEY_SET_VALUE or handle.hive in self.read_only_hives:
            raise PermissionError(5, "Access is denied")
        try:
            del self.keys[(handle.hive, handle.path)][name.lower()]
        except KeyError:
            raise FileNotFoundError(2, "The system cannot find the file specified") from None
