# Imaginecole Studio hub configuration. Keep it thin: the work is in imaginecole.hub.config.
# `imaginecole up` sets the environment variables read here.
import os
from pathlib import Path

from imaginecole.hub.config import HubSettings, apply_workshop
from imaginecole.workshop import load_workshop

c = get_config()  # noqa: F821 (provided by JupyterHub)

workshop = load_workshop(os.environ["IMAGINECOLE_WORKSHOP_FILE"])
settings = HubSettings.from_environ(os.environ)
apply_workshop(c, workshop, settings)

# Escape hatch: local additions, loaded last.
for extra in sorted((Path(__file__).parent / "config.d").glob("*.py")):
    exec(compile(extra.read_text(), str(extra), "exec"))  # noqa: S102
