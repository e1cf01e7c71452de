//! The simulated package catalogue: a few dozen packages per ecosystem with approximate
//! installed sizes (Debian bookworm / Alpine 3.20 / `PyPI` / npm figures, rounded), so the
//! classic Dockerfile lessons show up in the numbers. Sizes are approximations, not
//! measurements of any particular version.

/// One package.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Package {
    /// Name.
    pub name: &'static str,
    /// Version written into the package database.
    pub version: &'static str,
    /// Installed size in KiB (this package only, not its dependencies).
    pub size_kb: u64,
    /// Dependencies, installed with it.
    pub deps: &'static [&'static str],
    /// Recommended packages (apt installs them unless `--no-install-recommends`).
    pub recommends: &'static [&'static str],
    /// Programs it puts on `PATH`.
    pub bins: &'static [&'static str],
}

const fn p(
    name: &'static str,
    version: &'static str,
    size_kb: u64,
    deps: &'static [&'static str],
    recommends: &'static [&'static str],
    bins: &'static [&'static str],
) -> Package {
    Package {
        name,
        version,
        size_kb,
        deps,
        recommends,
        bins,
    }
}

/// Debian/Ubuntu packages (`apt-get install`).
pub const APT: &[Package] = &[
    p(
        "build-essential",
        "12.9",
        20,
        &["gcc", "g++", "make", "libc6-dev", "dpkg-dev"],
        &[],
        &[],
    ),
    p(
        "ca-certificates",
        "20230311",
        380,
        &["openssl"],
        &[],
        &["update-ca-certificates"],
    ),
    p(
        "curl",
        "7.88.1-10",
        510,
        &["libcurl4"],
        &["ca-certificates"],
        &["curl"],
    ),
    p(
        "dpkg-dev",
        "1.21.22",
        3_200,
        &["make", "patch"],
        &[],
        &["dpkg-buildpackage"],
    ),
    p("g++", "12.2.0", 35_000, &["gcc"], &[], &["g++", "c++"]),
    p("gcc", "12.2.0", 62_000, &["libc6-dev"], &[], &["gcc", "cc"]),
    p(
        "git",
        "2.39.2-1",
        38_500,
        &["libcurl4", "perl"],
        &["less", "openssh-client", "patch"],
        &["git"],
    ),
    p("gnupg", "2.2.40-1", 850, &["dirmngr"], &[], &["gpg"]),
    p("dirmngr", "2.2.40-1", 1_100, &[], &[], &["dirmngr"]),
    p("iputils-ping", "20221126", 200, &[], &[], &["ping"]),
    p("jq", "1.6-2.1", 110, &["libjq1"], &[], &["jq"]),
    p("less", "590-2", 500, &[], &[], &["less"]),
    p("libc6-dev", "2.36-9", 12_900, &[], &[], &[]),
    p("libcurl4", "7.88.1-10", 850, &["libssl3"], &[], &[]),
    p("libjq1", "1.6-2.1", 1_000, &[], &[], &[]),
    p(
        "libpq-dev",
        "15.5-0",
        1_100,
        &["libpq5"],
        &[],
        &["pg_config"],
    ),
    p("libpq5", "15.5-0", 950, &["libssl3"], &[], &[]),
    p("libssl3", "3.0.11-1", 6_200, &[], &[], &[]),
    p("locales", "2.36-9", 16_800, &[], &[], &["locale-gen"]),
    p("make", "4.3-4.1", 1_200, &[], &[], &["make"]),
    p("netcat-openbsd", "1.219-1", 100, &[], &[], &["nc"]),
    p("nginx", "1.22.1-9", 1_200, &["libssl3"], &[], &["nginx"]),
    p(
        "openssh-client",
        "9.2p1-2",
        5_200,
        &["libssl3"],
        &[],
        &["ssh", "scp"],
    ),
    p(
        "openssl",
        "3.0.11-1",
        2_300,
        &["libssl3"],
        &[],
        &["openssl"],
    ),
    p("patch", "2.7.6-7", 250, &[], &[], &["patch"]),
    p("perl", "5.36.0-7", 45_000, &[], &[], &["perl"]),
    p(
        "postgresql-client",
        "15+248",
        6_500,
        &["libpq5"],
        &[],
        &["psql"],
    ),
    p("procps", "4.0.2-3", 2_400, &[], &[], &["ps", "top", "free"]),
    p(
        "python3",
        "3.11.2-1",
        100,
        &["python3.11", "libpython3.11-stdlib"],
        &[],
        &["python3"],
    ),
    p(
        "python3-pip",
        "23.0.1",
        7_300,
        &["python3"],
        &["build-essential"],
        &["pip3", "pip"],
    ),
    p(
        "python3.11",
        "3.11.2-6",
        600,
        &["libpython3.11-stdlib"],
        &[],
        &["python3.11"],
    ),
    p("libpython3.11-stdlib", "3.11.2-6", 28_000, &[], &[], &[]),
    p("sudo", "1.9.13p3", 6_500, &[], &[], &["sudo"]),
    p("tini", "0.19.0-1", 800, &[], &[], &["tini"]),
    p("tzdata", "2024a-0", 3_000, &[], &[], &[]),
    p("unzip", "6.0-28", 400, &[], &[], &["unzip"]),
    p("vim", "9.0.1378", 3_700, &["vim-runtime"], &[], &["vim"]),
    p("vim-runtime", "9.0.1378", 35_000, &[], &[], &[]),
    p(
        "wget",
        "1.21.3-1",
        3_600,
        &["libssl3"],
        &["ca-certificates"],
        &["wget"],
    ),
    p("xz-utils", "5.4.1-0.2", 500, &[], &[], &["xz"]),
    p("zip", "3.0-13", 600, &[], &[], &["zip"]),
];

/// Alpine packages (`apk add`).
pub const APK: &[Package] = &[
    p("bash", "5.2.26-r0", 1_300, &["readline"], &[], &["bash"]),
    p(
        "build-base",
        "0.5-r3",
        4,
        &["gcc", "g++", "make", "musl-dev"],
        &[],
        &[],
    ),
    p(
        "ca-certificates",
        "20240226-r0",
        700,
        &[],
        &[],
        &["update-ca-certificates"],
    ),
    p("curl", "8.9.0-r0", 300, &["libcurl"], &[], &["curl"]),
    p("g++", "13.2.1-r2", 40_000, &["gcc"], &[], &["g++", "c++"]),
    p(
        "gcc",
        "13.2.1-r2",
        110_000,
        &["musl-dev"],
        &[],
        &["gcc", "cc"],
    ),
    p("git", "2.45.2-r0", 14_000, &["libcurl"], &[], &["git"]),
    p("jq", "1.7.1-r0", 300, &[], &[], &["jq"]),
    p("libcurl", "8.9.0-r0", 500, &[], &[], &[]),
    p("make", "4.4.1-r2", 270, &[], &[], &["make"]),
    p("musl-dev", "1.2.5-r0", 2_400, &[], &[], &[]),
    p("nginx", "1.26.1-r0", 1_200, &[], &[], &["nginx"]),
    p("nodejs", "20.15.1-r0", 45_000, &[], &[], &["node"]),
    p("npm", "10.8.0-r0", 9_000, &["nodejs"], &[], &["npm", "npx"]),
    p(
        "openssh-client",
        "9.7_p1-r4",
        2_900,
        &[],
        &[],
        &["ssh", "scp"],
    ),
    p("openssl", "3.3.1-r3", 900, &[], &[], &["openssl"]),
    p("postgresql-client", "16.3-r0", 3_000, &[], &[], &["psql"]),
    p(
        "py3-pip",
        "24.0-r2",
        10_000,
        &["python3"],
        &[],
        &["pip3", "pip"],
    ),
    p(
        "python3",
        "3.12.3-r1",
        48_000,
        &[],
        &[],
        &["python3", "python"],
    ),
    p("readline", "8.2.10-r0", 300, &[], &[], &[]),
    p("tini", "0.19.0-r3", 40, &[], &[], &["tini"]),
    p("tzdata", "2024a-r1", 1_600, &[], &[], &[]),
    p("wget", "1.24.5-r0", 500, &[], &[], &["wget"]),
];

/// Python packages (`pip install`).
pub const PIP: &[Package] = &[
    p("certifi", "2024.7.4", 300, &[], &[], &[]),
    p(
        "charset-normalizer",
        "3.3.2",
        400,
        &[],
        &[],
        &["normalizer"],
    ),
    p("click", "8.1.7", 600, &[], &[], &[]),
    p(
        "django",
        "5.0.7",
        28_000,
        &["asgiref", "sqlparse"],
        &[],
        &["django-admin"],
    ),
    p("asgiref", "3.8.1", 120, &[], &[], &[]),
    p("sqlparse", "0.5.1", 250, &[], &[], &["sqlformat"]),
    p(
        "fastapi",
        "0.111.1",
        900,
        &["pydantic", "starlette"],
        &[],
        &["fastapi"],
    ),
    p(
        "flask",
        "3.0.3",
        400,
        &["werkzeug", "jinja2", "click", "itsdangerous"],
        &[],
        &["flask"],
    ),
    p(
        "gunicorn",
        "22.0.0",
        600,
        &["packaging"],
        &[],
        &["gunicorn"],
    ),
    p("idna", "3.7", 300, &[], &[], &[]),
    p("itsdangerous", "2.2.0", 60, &[], &[], &[]),
    p("jinja2", "3.1.4", 900, &["markupsafe"], &[], &[]),
    p("markupsafe", "2.1.5", 60, &[], &[], &[]),
    p("numpy", "2.0.1", 60_000, &[], &[], &["f2py"]),
    p("packaging", "24.1", 200, &[], &[], &[]),
    p(
        "pandas",
        "2.2.2",
        70_000,
        &["numpy", "python-dateutil", "pytz"],
        &[],
        &[],
    ),
    p("pydantic", "2.8.2", 6_500, &[], &[], &[]),
    p("python-dateutil", "2.9.0", 800, &["six"], &[], &[]),
    p("pytz", "2024.1", 2_800, &[], &[], &[]),
    p(
        "requests",
        "2.32.3",
        300,
        &["urllib3", "idna", "certifi", "charset-normalizer"],
        &[],
        &[],
    ),
    p("six", "1.16.0", 40, &[], &[], &[]),
    p("starlette", "0.37.2", 700, &[], &[], &[]),
    p("urllib3", "2.2.2", 600, &[], &[], &[]),
    p("uvicorn", "0.30.3", 500, &["click"], &[], &["uvicorn"]),
    p("werkzeug", "3.0.3", 1_000, &["markupsafe"], &[], &[]),
];

/// npm packages (`npm install`).
pub const NPM: &[Package] = &[
    p("axios", "1.7.2", 2_000, &["follow-redirects"], &[], &[]),
    p("body-parser", "1.20.2", 60, &[], &[], &[]),
    p("dotenv", "16.4.5", 80, &[], &[], &[]),
    p("eslint", "9.7.0", 3_500, &[], &[], &["eslint"]),
    p(
        "express",
        "4.19.2",
        220,
        &["body-parser", "debug"],
        &[],
        &[],
    ),
    p("debug", "4.3.5", 45, &[], &[], &[]),
    p("follow-redirects", "1.15.6", 30, &[], &[], &[]),
    p("jest", "29.7.0", 40_000, &[], &[], &["jest"]),
    p("lodash", "4.17.21", 1_400, &[], &[], &[]),
    p(
        "next",
        "14.2.5",
        95_000,
        &["react", "react-dom"],
        &[],
        &["next"],
    ),
    p("nodemon", "3.1.4", 2_500, &[], &[], &["nodemon"]),
    p("react", "18.3.1", 320, &[], &[], &[]),
    p("react-dom", "18.3.1", 4_500, &["react"], &[], &[]),
    p("typescript", "5.5.3", 22_000, &[], &[], &["tsc"]),
    p("webpack", "5.93.0", 5_500, &[], &[], &["webpack"]),
];

/// A package by name in one of the tables.
pub fn find(table: &'static [Package], name: &str) -> Option<&'static Package> {
    table.iter().find(|p| p.name.eq_ignore_ascii_case(name))
}

/// What `apt-get update` leaves in `/var/lib/apt/lists` for a distribution codename
/// (approximate sizes in KiB of the index files).
pub fn apt_lists(distro: &str, codename: &str) -> Vec<(String, u64)> {
    if distro == "ubuntu" {
        let base = "archive.ubuntu.com_ubuntu_dists";
        let sec = "security.ubuntu.com_ubuntu_dists";
        let mut v = vec![
            (format!("{base}_{codename}_InRelease"), 260),
            (
                format!("{base}_{codename}_main_binary-amd64_Packages.lz4"),
                1_800,
            ),
            (
                format!("{base}_{codename}_universe_binary-amd64_Packages.lz4"),
                17_500,
            ),
            (
                format!("{base}_{codename}_restricted_binary-amd64_Packages.lz4"),
                120,
            ),
            (
                format!("{base}_{codename}_multiverse_binary-amd64_Packages.lz4"),
                270,
            ),
            (format!("{base}_{codename}-updates_InRelease"), 120),
            (
                format!("{base}_{codename}-updates_main_binary-amd64_Packages.lz4"),
                900,
            ),
            (format!("{sec}_{codename}-security_InRelease"), 120),
            (
                format!("{sec}_{codename}-security_main_binary-amd64_Packages.lz4"),
                700,
            ),
        ];
        v.sort();
        return v;
    }
    let base = "deb.debian.org_debian_dists";
    let sec = "deb.debian.org_debian-security_dists";
    let mut v = vec![
        (format!("{base}_{codename}_InRelease"), 150),
        (
            format!("{base}_{codename}_main_binary-amd64_Packages.lz4"),
            18_500,
        ),
        (format!("{base}_{codename}-updates_InRelease"), 55),
        (
            format!("{base}_{codename}-updates_main_binary-amd64_Packages.lz4"),
            30,
        ),
        (format!("{sec}_{codename}-security_InRelease"), 48),
        (
            format!("{sec}_{codename}-security_main_binary-amd64_Packages.lz4"),
            290,
        ),
    ];
    v.sort();
    v
}
