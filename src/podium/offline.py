"""Keep the Hugging Face libraries off the network: Podium loads nothing from a hub at run time.

Imported before ``evaluate`` or ``datasets``. Only the evaluate and datasets switches are set, so
``huggingface_hub`` itself can still talk to a Hub when a Hub-backed store is configured.
"""

import os

os.environ.setdefault("HF_EVALUATE_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
