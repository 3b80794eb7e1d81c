"""The Gradio leaderboard space: tabs built from the same services the CLI uses."""

from podium.web.app import build_app

__all__ = ["build_app"]
