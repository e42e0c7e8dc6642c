"""Named errors. Each carries a one-line Chinese message fit to show a user as is."""


class XZError(Exception):
    """Base of every error this library raises on purpose."""


class DatabaseMissing(XZError):
    pass


class DatabaseLocked(XZError):
    pass


class UnknownMonth(XZError):
    pass


class BadArgument(XZError):
    pass
