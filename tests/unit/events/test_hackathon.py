"""A whole hackathon, scripted end to end through a real catalogue server process over HTTP:
roster → teams → submissions → deadline lock → jury scoring → ranking → certificates.

The trainer works with the `imaginecole events` CLI, teams publish real bundles (made with
imaginecole.bundle, zipped) from « their workbench » (the publish API with an event, as the
widget and `imaginecole catalogue publish --event` send it), jurors score over the API. Runs on
SQLite and on PostgreSQL.
"""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import requests

from imaginecole.bundle import create_bundle, new_grain

from ..catalogue.webserver import auth, catalogue_process, zip_bundle

SLUG = "hack-dakar-2026"
EVENT_YAML = """\
slug: hack-dakar-2026
title: Hackathon pédagogique de Dakar
kind: hackathon
starts: 2026-12-05
ends: 2026-12-06
hours: 14
country: SN
description: Deux jours pour créer des ressources de mathématiques.
deadline: 2099-12-06T18:00:00Z
blind_jury: true
jurors: [jury.ba, jury.sy, jury.ndiaye]
jurors_per_submission: 2
challenges:
  - slug: geometrie
    title: La géométrie au CE1
    brief: Un exercice pour reconnaître les formes.
    kinds: [grain, comic]
    levels: [ce1]
rubric:
  pedagogy: 2
  accessibility: 1
  curriculum: 1
  originality: 1
  technical: 1
prizes:
  1: Premier prix
  2: Prix du public
"""
ROSTER = """\
username;full_name;email;role;country;team
awa;Awa Diop;awa@example.org;enseignante;Sénégal;Les Baobabs
kofi;Kofi Mensah;;teacher;SN;Les Baobabs
mariam;Mariam Traoré;;teacher;ML;Les Fleuves
yao;Yao Kouassi;;teacher;CI;Les Fleuves
jury.ba;Fatou Ba;;formatrice;SN;Les Fleuves
"""
# what every juror thinks of each participant's work, out of 5 (a consistent jury)
QUALITY = {"awa": 5, "mariam": 4, "kofi": 3, "yao": 1}
SEVERITY = {"jury.ba": -1, "jury.sy": 0, "jury.ndiaye": 0}  # jury.ba is severe
CRITERIA = ("pedagogy", "accessibility", "curriculum", "originality", "technical")


def events_cli(url: str, token: str, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "imaginecole", "events", *args, "--url", url, "--token", token],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def grain_zip(folder: Path, title: str, author: str) -> Path:
    manifest = new_grain(
        "single_choice",
        title=title,
        description="Reconnaître une forme parmi d'autres.",
        keywords=["géométrie"],
        country="SN",
        level="ce1",
        subject="mathematiques",
        authors=[{"name": author}],
    )
    create_bundle(folder / "bundle", manifest)
    return zip_bundle(folder / "bundle", folder / "bundle.zip")


def publish(base: str, token: str, archive: Path, event: str | None) -> requests.Response:
    params = {"note": "Pour le hackathon"}
    if event:
        params["event"] = event
    return requests.post(
        base + "api/resources",
        data=archive.read_bytes(),
        params=params,
        headers={**auth(token), "Content-Type": "application/zip"},
        timeout=300,
    )


def refusal(response: requests.Response, status: int) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["messages"]["fr"] != body["messages"]["en"], "the refusal is not translated"
    return body


def pdf_text(path: Path) -> str:
    result = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return " ".join(result.stdout.split())


def test_a_whole_hackathon_end_to_end(tmp_path, catalogue_url):
    from imaginecole.catalogue.service import Catalogue

    data = tmp_path / "data"
    tokens = {}
    with Catalogue.open(data, db_url=catalogue_url) as catalogue:
        tokens["formatrice"] = catalogue.create_token("editor", name="formatrice")[0]
        for name in ("awa", "kofi", "mariam", "yao", "jury.ba", "jury.sy", "jury.ndiaye", "intrus"):
            tokens[name] = catalogue.create_token("teacher", name=name)[0]
    trainer = tokens["formatrice"]

    with catalogue_process(data, "--db-url", catalogue_url) as base:
        # -- the trainer creates the event from a YAML file and imports the roster -----------
        (tmp_path / "event.yaml").write_text(EVENT_YAML, "utf-8")
        out = events_cli(base, trainer, "create", str(tmp_path / "event.yaml"))
        assert f"evenements/{SLUG}" in out
        (tmp_path / "roster.csv").write_text(ROSTER, "utf-8")
        out = events_cli(base, trainer, "roster", SLUG, str(tmp_path / "roster.csv"))
        assert "5 participant(s) dans 2 équipe(s)" in out
        teams = requests.get(f"{base}api/events/{SLUG}/teams", headers=auth(trainer)).json()
        assert teams == {
            "Les Baobabs": ["awa", "kofi"],
            "Les Fleuves": ["jury.ba", "mariam", "yao"],
        }
        # a participant sees their own team only
        mine = requests.get(f"{base}api/events/{SLUG}/teams", headers=auth(tokens["kofi"])).json()
        assert mine == {"Les Baobabs": ["awa", "kofi"]}
        # a teacher may not change the event
        refusal(
            requests.patch(
                f"{base}api/events/{SLUG}", json={"hours": 1}, headers=auth(tokens["awa"])
            ),
            403,
        )

        # -- teams submit from the workbench (publish with the event) --------------------------
        uids = {}
        for name, title in (
            ("awa", "Les triangles du marché"),
            ("kofi", "Carrés et rectangles"),
            ("mariam", "Le cercle du baobab"),
        ):
            response = publish(base, tokens[name], grain_zip(tmp_path / name, title, name), SLUG)
            assert response.status_code == 201, response.text
            resource = response.json()
            assert (resource["event"], resource["state"]) == (SLUG, "submitted")
            uids[name] = resource["uid"]
        # yao publishes first, then submits the resource to the event through the events API
        response = publish(
            base, tokens["yao"], grain_zip(tmp_path / "yao", "Losanges", "Yao"), None
        )
        uids["yao"] = response.json()["uid"]
        response = requests.post(
            f"{base}api/events/{SLUG}/submissions",
            json={"uid": uids["yao"]},
            headers=auth(tokens["yao"]),
        )
        assert response.status_code == 201, response.text
        assert response.json()["challenge"] == "geometrie"
        # someone outside the roster cannot submit to the event
        outsider = grain_zip(tmp_path / "intrus", "Hors concours", "Intrus")
        refusal(publish(base, tokens["intrus"], outsider, SLUG), 403)
        # a teammate cannot submit someone else's resource
        refusal(
            requests.post(
                f"{base}api/events/{SLUG}/submissions",
                json={"uid": uids["awa"]},
                headers=auth(tokens["kofi"]),
            ),
            403,
        )
        submissions = requests.get(
            f"{base}api/events/{SLUG}/submissions", headers=auth(trainer)
        ).json()
        assert sorted(s["uid"] for s in submissions) == sorted(uids.values())
        sub_of = {s["submitted_by"]: s["id"] for s in submissions}
        # the jury cannot start while submissions are open
        refusal(
            requests.post(f"{base}api/events/{SLUG}/assignments", json={}, headers=auth(trainer)),
            409,
        )

        # -- the deadline passes (moved into the past on the server) -------------------------
        response = requests.patch(
            f"{base}api/events/{SLUG}",
            json={"deadline": "2020-01-01T00:00:00Z"},
            headers=auth(trainer),
        )
        assert response.status_code == 200 and response.json()["locked"] is True
        late = grain_zip(tmp_path / "late", "Trop tard", "Awa")
        body = refusal(publish(base, tokens["awa"], late, SLUG), 409)
        assert "2020-01-01 00:00" in body["messages"]["fr"]
        refusal(
            requests.post(
                f"{base}api/events/{SLUG}/submissions",
                json={"uid": uids["kofi"], "challenge": "geometrie"},
                headers=auth(tokens["kofi"]),
            ),
            409,
        )
        refusal(
            requests.delete(
                f"{base}api/events/{SLUG}/submissions/{sub_of['mariam']}",
                headers=auth(tokens["mariam"]),
            ),
            409,
        )
        # a new version of a submitted resource would change what the jury judges
        again = tmp_path / "awa" / "bundle.zip"
        refusal(publish(base, tokens["awa"], again, None), 409)

        # -- the jury: balanced assignment, blind scoring --------------------------------------
        out = events_cli(base, trainer, "assign", SLUG, "--per-submission", "2")
        assignments = requests.get(
            f"{base}api/events/{SLUG}/assignments", headers=auth(trainer)
        ).json()
        assert all(len(jurors) == 2 for jurors in assignments.values())
        for name in ("mariam", "yao"):  # jury.ba is in their team
            assert "jury.ba" not in assignments[str(sub_of[name])]
        owner_of = {v: k for k, v in sub_of.items()}
        for juror in SEVERITY:
            page = requests.get(
                f"{base}api/events/{SLUG}/jury", headers=auth(juror_token := tokens[juror])
            )
            assigned = page.json()
            assert assigned, f"{juror} has nothing to score"
            for item in assigned:
                assert not {"team", "authors", "owner", "submitted_by"} & set(item), "not blind"
                value = max(0, QUALITY[owner_of[item["id"]]] + SEVERITY[juror])
                response = requests.put(
                    f"{base}api/events/{SLUG}/scores/{item['id']}",
                    json={"scores": dict.fromkeys(CRITERIA, value), "comment": "Merci !"},
                    headers=auth(juror_token),
                )
                assert response.status_code == 200, response.text
            html = requests.get(f"{base}evenements/{SLUG}/jury", headers=auth(juror_token)).text
            assert "Les Baobabs" not in html and "Les Fleuves" not in html
        # a juror scores only what is assigned to them; a participant scores nothing
        not_ba = next(str(sid) for sid, js in assignments.items() if "jury.ba" not in js)
        scores = {"scores": dict.fromkeys(CRITERIA, 5)}
        refusal(
            requests.put(
                f"{base}api/events/{SLUG}/scores/{not_ba}",
                json=scores,
                headers=auth(tokens["jury.ba"]),
            ),
            403,
        )
        refusal(
            requests.put(
                f"{base}api/events/{SLUG}/scores/{not_ba}", json=scores, headers=auth(tokens["awa"])
            ),
            403,
        )

        # -- ranking, CSV, public gallery ------------------------------------------------------
        results = requests.get(f"{base}api/events/{SLUG}/results", headers=auth(trainer)).json()
        assert [r["rank"] for r in results] == [1, 2, 3, 4]
        assert [r["normalised"] for r in results] == sorted(
            (r["normalised"] for r in results), reverse=True
        )
        assert results[0]["uid"] == uids["awa"] and results[-1]["uid"] == uids["yao"]
        assert results[0]["prize"] == "Premier prix" and results[1]["prize"] == "Prix du public"
        assert all(r["scored_by"] == 2 for r in results)
        refusal(requests.get(f"{base}api/events/{SLUG}/results", headers=auth(tokens["awa"])), 403)
        events_cli(base, trainer, "results", SLUG, "--out", str(tmp_path / "results.csv"))
        raw = (tmp_path / "results.csv").read_bytes()
        assert raw.startswith("\ufeff".encode())
        table = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
        assert [row["Titre"] for row in table][0] == "Les triangles du marché"
        assert table[0]["Équipe"] == "Les Baobabs" and table[0]["Prix"] == "Premier prix"

        response = requests.patch(
            f"{base}api/events/{SLUG}", json={"state": "closed"}, headers=auth(trainer)
        )
        assert response.status_code == 200
        gallery = requests.get(f"{base}evenements/{SLUG}?lang=ar")
        assert gallery.status_code == 200
        assert 'dir="rtl"' in gallery.text and "الفائزون" in gallery.text
        assert "Premier prix" in gallery.text and "Les triangles du marché" in gallery.text
        public = requests.get(f"{base}api/events/{SLUG}/results").json()  # now public
        assert public[0]["team"] == "Les Baobabs"

        # -- certificates in one command, each code checked by the catalogue -------------------
        out_dir = tmp_path / "certificats"
        out = events_cli(base, trainer, "certificates", SLUG, "--out", str(out_dir))
        pdfs = sorted(p.name for p in out_dir.glob("*.pdf"))
        assert pdfs == ["awa.pdf", "jury.ba.pdf", "kofi.pdf", "mariam.pdf", "yao.pdf"]
        codes = dict(line.split("\t")[:2] for line in out.splitlines() if "\t" in line)
        text = pdf_text(out_dir / "awa.pdf")
        for expected in (
            "Attestation de participation",
            "Awa Diop",
            "Hackathon pédagogique de Dakar",
            "14 heures",
            "Les Baobabs",
            "Les triangles du marché",
            codes["awa"],
            f"certificats/{codes['awa']}",
        ):
            assert expected in text, (expected, text)
        for name, code in codes.items():
            check = requests.get(f"{base}api/certificates/{code}").json()
            assert check["valid"] is True and check["event"] == SLUG
            assert (
                check["full_name"]
                == {
                    "awa": "Awa Diop",
                    "kofi": "Kofi Mensah",
                    "mariam": "Mariam Traoré",
                    "yao": "Yao Kouassi",
                    "jury.ba": "Fatou Ba",
                }[name]
            )
        assert requests.get(f"{base}api/certificates/{codes['kofi']}").json()["resources"] == [
            "Carrés et rectangles"
        ]
        page = requests.get(f"{base}certificats/{codes['mariam']}")
        assert page.status_code == 200 and "Mariam Traoré" in page.text
        assert requests.get(f"{base}certificats/ABCD-EFGH-JKLM").status_code == 404
        # a participant downloads their own certificate, not someone else's
        own = requests.get(
            f"{base}api/events/{SLUG}/certificates/{codes['yao']}.pdf", headers=auth(tokens["yao"])
        )
        assert own.status_code == 200 and own.content.startswith(b"%PDF")
        refusal(
            requests.get(
                f"{base}api/events/{SLUG}/certificates/{codes['yao']}.pdf",
                headers=auth(tokens["kofi"]),
            ),
            403,
        )
