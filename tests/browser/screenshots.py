"""`make screenshots`: the home, job list, job page and admin job form, at desktop and phone widths,
into docs/screenshots/ (PNG, what the README shows).

Runs on a throwaway SQLite database in a temporary folder (the demo catalogue and a counsellor), never
on var/db.sqlite3, with Debian's Chromium through Playwright:

    .venv/bin/python -m tests.browser.screenshots [--out docs/screenshots]
"""

import argparse
import os
import sys
import tempfile
from pathlib import Path

from tests.browser import support

SHOTS = [
    ("home", "/"),
    ("job-list", "/metiers/?interest=je-veux-etre-utile-aux-autres"),
    ("job", "/metiers/infirmier-ere/"),
    ("admin-job", None),  # the change form of the job above, logged in
]
WIDTHS = {"desktop": support.DESKTOP, "phone": support.PHONE}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    options = parser.parse_args(argv)
    missing = [tool for tool in support.missing_tools() if "axe-core" not in tool]
    if missing:
        print("Screenshots need " + ", ".join(missing) + ".", file=sys.stderr)
        return 1

    with tempfile.TemporaryDirectory(prefix="orientation-screens-") as folder:
        os.environ["DATABASE_URL"] = f"sqlite:///{folder}/screens.sqlite3"
        os.environ["STATIC_PLAIN"] = "1"  # static files straight from static/, no collectstatic
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "orientation.settings")
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        support.load_demo(nurses=False)
        from catalogue.models import Job

        admin_path = f"/admin/catalogue/job/{Job.objects.get(onisep_id='MET.38').pk}/change/"
        server = support.LiveServer()
        try:
            shoot(server.url, admin_path, options.out)
        finally:
            server.stop()
    return 0


def shoot(live_url: str, admin_path: str, out: Path) -> None:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = support.launch_chromium(playwright)
        for width_name, viewport in WIDTHS.items():
            phone = width_name == "phone"
            context = browser.new_context(
                viewport=viewport, is_mobile=phone, has_touch=phone, locale="fr-FR", base_url=live_url
            )
            page = context.new_page()
            for name, path in SHOTS:
                if path is None:
                    support.log_in(page)
                    path = admin_path
                page.goto(path, wait_until="networkidle")
                target = out / f"{name}-{width_name}.png"
                page.screenshot(path=str(target))
                print(f"  {target}")
            context.close()
        browser.close()


if __name__ == "__main__":
    sys.exit(main())
