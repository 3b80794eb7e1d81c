"""The Gradio leaderboard space: tabs built from the same services the CLI uses.

``build_app`` is imported on first use: ``podium serve`` checks its port before it pays for gradio.
"""

__all__ = ["build_app"]


def __getattr__(name: str):
    if name == "build_app":
        from podium.web.app import build_app

        return build_app
    raise AttributeError(name)
