"""The build: the pipeline that executes the chapters and the environment file."""

__all__ = []
