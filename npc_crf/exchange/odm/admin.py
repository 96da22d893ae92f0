"""``AdminData``: Users (accounts), Locations (sites) and SignatureDefs (signature meanings).

Every user an exported audit record or signature names gets a User, also when
the dataset's accounts do not list them (their ``FullName`` then comes from the
signature, if any). Every signature meaning used gets a SignatureDef, also a
meaning the study definition no longer lists.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

from npc_crf.exchange.odm import oids
from npc_crf.exchange.odm.dataset import Dataset, Record
from npc_crf.exchange.odm.elements import Element, root, sub
from npc_crf.forms.model import Study

#: the LegalReason of every SignatureDef: what our electronic signatures are (docs/monitoring.md)
LEGAL_REASON = (
    "Electronic signature under 21 CFR Part 11 (§11.50, §11.70, §11.100, §11.200): the signer "
    "entered their user ID and password, chose the meaning, and npc-crf recorded the printed "
    "name, date and time, and sealed the signed content with the installation's Ed25519 key."
)

_USER_TYPES = {"INV": "Investigator"}


@dataclass
class People:
    """Who and what the clinical data will reference: users by site, meanings, sites."""

    sites_of_user: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    names: dict[str, str] = field(default_factory=dict)
    meanings: set[str] = field(default_factory=set)
    first_entry: dict[str, str] = field(default_factory=dict)


def collect_people(
    dataset: Dataset, subjects: Collection[str], audit_of: Mapping[str, Sequence[Record]]
) -> People:
    """Users, sites and meanings that the exported audit records and signatures reference.

    ``audit_of`` holds the audit entries of each exported subject.
    """
    people = People()
    users = people.sites_of_user
    for subject in subjects:
        site = dataset.site_of(subject)
        entries = audit_of.get(subject, ())
        for entry in entries:
            users[entry["username"]].add(site)
        times = [str(e["at_utc"]) for e in entries if e.get("at_utc")]
        if times and (site not in people.first_entry or min(times) < people.first_entry[site]):
            people.first_entry[site] = min(times)
        for event in dataset.events_of.get(subject, ()):
            for form in dataset.forms_of.get(event["uid"], ()):
                for sig in dataset.signatures_of.get(form["uid"], ()):
                    users[sig["username"]].add(site)
                    people.names.setdefault(sig["username"], sig.get("full_name") or "")
                    people.meanings.add(sig["meaning"])
    return people


def build_admin(study: Study, dataset: Dataset, people: People, created_at: dt.datetime) -> Element:
    """The ``AdminData`` element."""
    admin = root("AdminData", {"StudyOID": study.oid})
    roles = {a["username"]: a.get("role") for a in dataset.accounts}
    names = dict(people.names) | {a["username"]: a.get("full_name") or "" for a in dataset.accounts}
    usernames = sorted(set(roles) | set(people.sites_of_user))
    single_site = dataset.site_ids[0] if len(dataset.site_ids) == 1 else None
    for username in usernames:
        attrib = {
            "OID": oids.user(username),
            "UserType": _USER_TYPES.get(roles.get(username) or "", "Other"),
        }
        user = sub(admin, "User", attrib)
        sub(user, "LoginName", text=username)
        if names.get(username):
            sub(user, "FullName", text=names[username])
        sites = sorted(people.sites_of_user.get(username, ())) or (
            [single_site] if single_site else []
        )
        for site in sites:
            sub(user, "LocationRef", {"LocationOID": oids.location(site)})
    for site in dataset.site_ids:
        location = sub(
            admin, "Location", {"OID": oids.location(site), "Name": site, "LocationType": "Site"}
        )
        effective = (people.first_entry.get(site) or created_at.strftime("%Y-%m-%d"))[:10]
        sub(
            location,
            "MetaDataVersionRef",
            {
                "StudyOID": study.oid,
                "MetaDataVersionOID": oids.mdv(study.version),
                "EffectiveDate": effective,
            },
        )
    meanings = {m.code: m.name.en for m in study.signature_meanings}
    for code in [*meanings, *sorted(people.meanings - set(meanings))]:
        sd = sub(
            admin, "SignatureDef", {"OID": oids.signature_def(code), "Methodology": "Electronic"}
        )
        sub(sd, "Meaning", text=meanings.get(code, code))
        sub(sd, "LegalReason", text=LEGAL_REASON)
    return admin
