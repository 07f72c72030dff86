"""The build: the pipeline, the environment file, the launch buttons and the browser check."""

from helpers.build.launch import github_repository, launch_config, origin, write_config

__all__ = ["github_repository", "launch_config", "origin", "write_config"]
