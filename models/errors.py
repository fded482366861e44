"""Errors raised by models/, each with a message that says what is wrong and what to do."""


class ModelError(Exception):
    """Base class: the app shows str(error) to the user as it is."""


class UnknownModelError(ModelError, KeyError):
    def __str__(self) -> str:  # KeyError would quote the message
        return self.args[0]


class WeightsError(ModelError):
    """A weight file or its card is missing, corrupt or does not fit the architecture."""


class DeviceError(ModelError):
    """The requested compute device is not available."""


class ImageError(ModelError, ValueError):
    """An input that cannot be read or used as an image."""


class Abandoned(Exception):
    """Work given up half done: a newer question made its answer useless. Not a ModelError:
    nothing is wrong, and nothing is shown."""
