# Stock JupyterHub 6 + JupyterLab, the reference of benchmarks/hub_storm.py.
# Defaults everywhere (LocalProcessSpawner family, default extensions, default_url /lab,
# spawn limits, timeouts), except what one machine run by root requires:
# 127.0.0.1, fixed ports, a password for the benchmark's users, and one unprivileged
# account for every server because jupyterhub-singleuser refuses to run as root.
# hub_storm.py sets the STOCK_HUB_* variables and runs `jupyterhub -f` in a temp folder.
import os

from jupyterhub.spawner import SimpleLocalProcessSpawner, set_user_setuid

c = get_config()  # noqa: F821 (provided by JupyterHub)

work = os.environ["STOCK_HUB_DIR"]
port = int(os.environ["STOCK_HUB_PORT"])
account = os.environ.get("STOCK_HUB_ACCOUNT", "")


class UnprivilegedSpawner(SimpleLocalProcessSpawner):
    """SimpleLocalProcessSpawner whose servers run as one unprivileged account."""

    def make_preexec_fn(self, name):
        stock = super().make_preexec_fn(name)
        if not account:
            return stock
        set_ids = set_user_setuid(account, chdir=False)

        def preexec():
            set_ids()
            stock()  # makes and enters the home folder, as the account

        return preexec


c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = port
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = port + 2
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{port + 1}"
c.ConfigurableHTTPProxy.command = [os.environ["STOCK_HUB_PROXY"]]

c.JupyterHub.authenticator_class = "shared-password"
c.SharedPasswordAuthenticator.user_password = os.environ["STOCK_HUB_PASSWORD"]
c.Authenticator.allowed_users = set(os.environ["STOCK_HUB_USERS"].split(","))

c.JupyterHub.spawner_class = UnprivilegedSpawner
c.SimpleLocalProcessSpawner.home_dir_template = os.path.join(work, "homes", "{username}")
c.Spawner.cmd = [os.environ["STOCK_HUB_SINGLEUSER"]]
c.Spawner.default_url = "/lab"
