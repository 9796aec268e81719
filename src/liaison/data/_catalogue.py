"""The open datasets liaison's connectors read: who produced them, under what
licence, and the exact files (pinned commits of their public copies, with
SHA-256 checksums) that ``liaison data fetch`` downloads and verifies."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

__all__ = ["DATASETS", "Dataset", "DatasetFile"]

_RAW = "https://raw.githubusercontent.com"


@dataclass(frozen=True, slots=True)
class DatasetFile:
    """One file: its name here, where it is published, its checksum and size."""

    name: str
    url: str
    sha256: str
    size: int


@dataclass(frozen=True, slots=True)
class Dataset:
    """A dataset: its producer, licence, the connector that reads it, its files."""

    name: str
    title: str
    producer: str
    licence: str
    upstream: str
    connector: str | None
    files: tuple[DatasetFile, ...]


def _github(repo: str, commit: str, path: str) -> str:
    return f"{_RAW}/{repo}/{commit}/{quote(path)}"


_CENTCOM = "kevinschaul/uscentcom-isil-airstrikes-scraper"
_GUARDIAN = "guardian/syria"

DATASETS: dict[str, Dataset] = {
    d.name: d
    for d in (
        Dataset(
            "centcom-strike-releases",
            "CENTCOM / CJTF-OIR strike-release lines, Oct 2014 – Oct 2016 (and one full release)",
            "US Department of Defense (CENTCOM, CJTF-OIR); lines collected by Kevin Schaul",
            "US government works (public domain in the US); scraper MIT; data licence not stated",
            "https://www.centcom.mil (press releases)",
            "strike-release",
            (
                DatasetFile(
                    "all.csv",
                    _github(_CENTCOM, "6dced5ebe3fda4bd1874151e456954eb0505d4bd", "data/all.csv"),
                    "408d2da9644a510c289ca4f7d4f2184680a9b30d66b8f9aab62e7b651330ea6e",
                    1431482,
                ),
                DatasetFile(
                    "release-20151102-01.txt",
                    _github(
                        _CENTCOM,
                        "a1f9921795106094ef79bbb5ef5f339a38646a13",
                        "test/release/nov2.txt",
                    ),
                    "33433bdf30ae2a73b13ae76dc138422b09ffdfd12a1649823be7e4882cc46b41",
                    2989,
                ),
            ),
        ),
        Dataset(
            "guardian-syria",
            "Coalition strike places in Syria and Iraq (a gazetteer), 2015–2016",
            "Guardian Visuals (from CENTCOM releases)",
            "not stated for the data (repository package.json: ISC, for code)",
            "https://github.com/guardian/syria",
            None,
            (
                DatasetFile(
                    "syria-locations.tsv",
                    _github(
                        _GUARDIAN,
                        "896cc19c658b49868f8a76719c6637326c04a5c4",
                        "data-in/syria-locations.tsv",
                    ),
                    "d7af34aeb5f4b87f8d246ca476c4719a05cf94e409fcedce52433f340ef16473",
                    615,
                ),
                DatasetFile(
                    "iraq-locations.tsv",
                    _github(
                        _GUARDIAN,
                        "b317ccfc6cbf69d31975b8b46a3769ed0e23ff84",
                        "data-in/iraq-locations.tsv",
                    ),
                    "0f022b5ee94098f8d212e103931dd2040ea159ba22b1de390e197159254b0b03",
                    839,
                ),
            ),
        ),
        Dataset(
            "nl-mod-oir-strikes",
            "Netherlands MoD: Dutch airstrikes in Operation Inherent Resolve, 2014–2018",
            "Netherlands Ministry of Defence (unclassified release of 30 March 2023)",
            "not stated for the data (the copying repository's GPL-3.0 covers its code)",
            "https://www.defensie.nl",
            "nl-mod",
            (
                DatasetFile(
                    "nl_oir_airstrikes_20230330.csv",
                    _github(
                        "siemdejong/operation-inherent-resolve",
                        "e7b0539325c53c9a201b860b2def144ded8d25db",
                        "(UNCLASS) 20230330 Database Nederlandse luchtaanvallen tijdens "
                        "Operation Inherent Resolve.csv",
                    ),
                    "fdfc58e706315ad953cb94c6a83782d5c7d9ecef7464ae10900d0e25b43468ce",
                    298318,
                ),
            ),
        ),
        Dataset(
            "ucdp-ged-syria",
            "UCDP GED Syria 2016-01-01 – 2019-11-30 (652.1601.1911), as an R data file",
            "Uppsala Conflict Data Program (cite Sundberg & Melander 2013; Högbladh 2019)",
            "CC BY 4.0 (UCDP)",
            "https://ucdp.uu.se/downloads/",
            "ucdp",
            (
                DatasetFile(
                    "ucdp_syria_df.rda",
                    _github(
                        "knapply/data4ds4da",
                        "33316d9367907b8452d3a5ac3fe0ff2bd7da7f43",
                        "data/ucdp_syria_df.rda",
                    ),
                    "8958fc493595566ce20b284b3142e55b313e6af4f699432adef0a09c5753db96",
                    1025210,
                ),
                DatasetFile(
                    "ged191-codebook.pdf",
                    _github(
                        "knapply/data4ds4da",
                        "02ac3d720bb0a34248888a6900e2d7854be8a4ba",
                        "inst/datasets/ucdp_syria/ged191.pdf",
                    ),
                    "5d0200fb25c79d110c5be4a5f3ffac103cad33dd820c7df5799fba4fb0d1646e",
                    442106,
                ),
            ),
        ),
        Dataset(
            "ucdp-ged-syria-iraq-region",
            "UCDP GED events in Syria, Iraq and neighbours, 2003–2019, dated by year",
            "Uppsala Conflict Data Program; extract by Idler & Tkacova (2023)",
            "CC BY 4.0 (UCDP); the extracting repository states no licence",
            "https://ucdp.uu.se/downloads/",
            "ucdp",
            (
                DatasetFile(
                    "syria-iraq.rds",
                    _github(
                        "Global-Security-Programme/Conflict-shapes-in-flux",
                        "3d47839bcf737d543d817aee70060d239b481dbd",
                        "data/syria-iraq.rds",
                    ),
                    "288a99f257f5460eedfdfa37932f70130193cbc8026fa621f964fbc054120f06",
                    615440,
                ),
            ),
        ),
        Dataset(
            "syrian-archive",
            "Syrian Archive verified-video metadata incl. alleged Russian attacks, 2012–2017",
            "The Syrian Archive (Mnemonic); scraped into an R package by Sean Kross (2017-05-12)",
            "CC BY-SA 4.0 (package DESCRIPTION)",
            "https://syrianarchive.org",
            "syrian-archive",
            (
                DatasetFile(
                    "violations.csv",
                    _github(
                        "seankross/syrianarchive",
                        "e1c0eaabfd1335561937650a3f5487f925528b67",
                        "data-raw/violations.csv",
                    ),
                    "d10fb462d0f7288ba612158839efac8973e83413fe21183c312e747cfe54cb2e",
                    2215474,
                ),
                DatasetFile(
                    "syrian_places.csv",
                    _github(
                        "seankross/syrianarchive",
                        "e1c0eaabfd1335561937650a3f5487f925528b67",
                        "data-raw/syrian_places.csv",
                    ),
                    "3db25556f6f7eac7984e586b7c3b75a677cee5d35b38c495f76368810a9b0efb",
                    6434,
                ),
            ),
        ),
        Dataset(
            "syrian-archive-locations",
            "Syrian Archive bilingual (English/Arabic) gazetteer of 819 places, July 2015",
            "The Syrian Archive",
            "not stated for the data (repository GPL-2.0, for code)",
            "https://syrianarchive.org",
            None,
            (
                DatasetFile(
                    "locations.json",
                    _github(
                        "crito/syrianarchive",
                        "b8d6ca8bfc45f9a53cce78fac4a7027e37dbf771",
                        "database/data/locations.json",
                    ),
                    "14f0887857a8045a00639fd6cbddcdbaf9faa4e6e4a40b530c2e98a0bababa7b",
                    177784,
                ),
            ),
        ),
    )
}
