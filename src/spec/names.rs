//! Validation and case conversion of the names a user types.
//!
//! A name is checked once, up front, before anything is planned: a name that cannot work in the
//! generated Python project is refused with the reason and a suggestion, never discovered later
//! as a broken import.

use heck::{ToKebabCase, ToSnakeCase, ToTitleCase};

use crate::error::UserError;

/// Python's hard and soft keywords.
pub const PYTHON_KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield", "match", "case",
];

/// Top-level modules of the Python 3.11 standard library (`sys.stdlib_module_names`).
pub const STDLIB_MODULES: &[&str] = &[
    "abc",
    "aifc",
    "antigravity",
    "argparse",
    "array",
    "ast",
    "asynchat",
    "asyncio",
    "asyncore",
    "atexit",
    "audioop",
    "base64",
    "bdb",
    "binascii",
    "bisect",
    "builtins",
    "bz2",
    "cProfile",
    "calendar",
    "cgi",
    "cgitb",
    "chunk",
    "cmath",
    "cmd",
    "code",
    "codecs",
    "codeop",
    "collections",
    "colorsys",
    "compileall",
    "concurrent",
    "configparser",
    "contextlib",
    "contextvars",
    "copy",
    "copyreg",
    "crypt",
    "csv",
    "ctypes",
    "curses",
    "dataclasses",
    "datetime",
    "dbm",
    "decimal",
    "difflib",
    "dis",
    "distutils",
    "doctest",
    "email",
    "encodings",
    "ensurepip",
    "enum",
    "errno",
    "faulthandler",
    "fcntl",
    "filecmp",
    "fileinput",
    "fnmatch",
    "fractions",
    "ftplib",
    "functools",
    "gc",
    "genericpath",
    "getopt",
    "getpass",
    "gettext",
    "glob",
    "graphlib",
    "grp",
    "gzip",
    "hashlib",
    "heapq",
    "hmac",
    "html",
    "http",
    "idlelib",
    "imaplib",
    "imghdr",
    "imp",
    "importlib",
    "inspect",
    "io",
    "ipaddress",
    "itertools",
    "json",
    "keyword",
    "lib2to3",
    "linecache",
    "locale",
    "logging",
    "lzma",
    "mailbox",
    "mailcap",
    "marshal",
    "math",
    "mimetypes",
    "mmap",
    "modulefinder",
    "msilib",
    "msvcrt",
    "multiprocessing",
    "netrc",
    "nis",
    "nntplib",
    "nt",
    "ntpath",
    "nturl2path",
    "numbers",
    "opcode",
    "operator",
    "optparse",
    "os",
    "ossaudiodev",
    "pathlib",
    "pdb",
    "pickle",
    "pickletools",
    "pipes",
    "pkgutil",
    "platform",
    "plistlib",
    "poplib",
    "posix",
    "posixpath",
    "pprint",
    "profile",
    "pstats",
    "pty",
    "pwd",
    "py_compile",
    "pyclbr",
    "pydoc",
    "pydoc_data",
    "pyexpat",
    "queue",
    "quopri",
    "random",
    "re",
    "readline",
    "reprlib",
    "resource",
    "rlcompleter",
    "runpy",
    "sched",
    "secrets",
    "select",
    "selectors",
    "shelve",
    "shlex",
    "shutil",
    "signal",
    "site",
    "smtpd",
    "smtplib",
    "sndhdr",
    "socket",
    "socketserver",
    "spwd",
    "sqlite3",
    "sre_compile",
    "sre_constants",
    "sre_parse",
    "ssl",
    "stat",
    "statistics",
    "string",
    "stringprep",
    "struct",
    "subprocess",
    "sunau",
    "symtable",
    "sys",
    "sysconfig",
    "syslog",
    "tabnanny",
    "tarfile",
    "telnetlib",
    "tempfile",
    "termios",
    "textwrap",
    "this",
    "threading",
    "time",
    "timeit",
    "tkinter",
    "token",
    "tokenize",
    "tomllib",
    "trace",
    "traceback",
    "tracemalloc",
    "tty",
    "turtle",
    "turtledemo",
    "types",
    "typing",
    "unicodedata",
    "unittest",
    "urllib",
    "uu",
    "uuid",
    "venv",
    "warnings",
    "wave",
    "weakref",
    "webbrowser",
    "winreg",
    "winsound",
    "wsgiref",
    "xdrlib",
    "xml",
    "xmlrpc",
    "zipapp",
    "zipfile",
    "zipimport",
    "zlib",
    "zoneinfo",
];

/// Distribution and import names a generated project depends on or defines itself. A project
/// named like one of them cannot install (uv refuses a project that depends on itself) or
/// shadows it on `sys.path`.
pub const PROJECT_RESERVED: &[&str] = &[
    "alembic",
    "amqp",
    "anyio",
    "app",
    "argon2",
    "argon2-cffi",
    "billiard",
    "celery",
    "click",
    "coverage",
    "email-validator",
    "fastapi",
    "flask",
    "flask-smorest",
    "google",
    "grpc",
    "grpcio",
    "grpcio-health-checking",
    "grpcio-reflection",
    "grpcio-tools",
    "gunicorn",
    "httpx2",
    "itsdangerous",
    "jinja2",
    "jwt",
    "kombu",
    "marshmallow",
    "migrations",
    "mypy",
    "mypy-protobuf",
    "prometheus-client",
    "protobuf",
    "protos",
    "psycopg",
    "pydantic",
    "pydantic-settings",
    "pyjwt",
    "pytest",
    "pytest-cov",
    "redis",
    "ruff",
    "sqlalchemy",
    "starlette",
    "test",
    "tests",
    "uvicorn",
    "uvicorn-worker",
    "vine",
    "webargs",
    "werkzeug",
];

/// A validated project name in every case the templates need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectName {
    /// As the user typed it; used for the directory name.
    pub raw: String,
    /// `order-service`: distribution, image, compose and Kubernetes names.
    pub kebab: String,
    /// `order_service`: proto package, database name, identifiers.
    pub snake: String,
    /// `Order Service`: prose in READMEs.
    pub title: String,
}

/// The longest project name, in every case form: the snake form plus `_test` must stay within
/// PostgreSQL's 63-byte identifiers (database names), the kebab form plus `-secrets` within
/// Kubernetes' 63-character names, and the directory name well within 255 bytes.
pub const MAX_PROJECT_NAME_LEN: usize = 50;

/// A name as the user typed it, safe to print: control characters escaped (`\u{1b}`), so
/// that a name can never move the cursor or colour the terminal.
pub fn shown(raw: &str) -> String {
    raw.chars()
        .flat_map(|c| {
            let escaped: Vec<char> = if c.is_control() {
                c.escape_default().collect()
            } else {
                vec![c]
            };
            escaped
        })
        .collect()
}

/// Validates a project name and derives its case forms.
pub fn project_name(input: &str) -> Result<ProjectName, UserError> {
    let raw = input.trim();
    if raw.is_empty() {
        return Err(UserError::new("The project name is empty")
            .hint("Pass a name such as `arcana new order-service`"));
    }
    if raw.chars().count() > MAX_PROJECT_NAME_LEN {
        let start: String = raw
            .chars()
            .take(20)
            .flat_map(char::escape_default)
            .collect();
        return Err(UserError::new(format!(
            "The project name `{start}…` is {} characters long; at most {MAX_PROJECT_NAME_LEN} are allowed",
            raw.chars().count()
        ))
        .hint("Choose a shorter name, e.g. `order-service`; `--path DIR` sets a longer directory if you need one"));
    }
    if !is_name_like(raw) {
        let suggestion = suggest(raw);
        let hint = match suggestion {
            Some(s) => {
                format!("Use letters, digits, `-` and `_`, starting with a letter, e.g. `{s}`")
            }
            None => {
                "Use letters, digits, `-` and `_`, starting with a letter, e.g. `order-service`"
                    .to_string()
            }
        };
        return Err(UserError::new(format!(
            "`{}` is not a valid project name: it must start with a letter and contain only letters, digits, `-` and `_`",
            shown(raw)
        ))
        .hint(hint));
    }
    let snake = raw.to_snake_case();
    let kebab = raw.to_kebab_case();
    if snake.len().max(kebab.len()) > MAX_PROJECT_NAME_LEN {
        return Err(UserError::new(format!(
            "The project name `{raw}` becomes `{kebab}` ({} characters); at most {MAX_PROJECT_NAME_LEN} are allowed",
            kebab.len().max(snake.len())
        ))
        .hint("Choose a shorter name, or fewer capitals (each starts a new word)"));
    }
    let alternative = format!("{kebab}-service");
    if PYTHON_KEYWORDS.contains(&snake.as_str()) || PYTHON_KEYWORDS.contains(&raw) {
        return Err(UserError::new(format!(
            "`{raw}` is a Python keyword and cannot name a project"
        ))
        .hint(format!("Choose another name, e.g. `{alternative}`")));
    }
    if STDLIB_MODULES.contains(&snake.as_str()) {
        return Err(UserError::new(format!(
            "`{raw}` would shadow the Python standard library module `{snake}`"
        ))
        .hint(format!("Choose another name, e.g. `{alternative}`")));
    }
    if PROJECT_RESERVED.contains(&kebab.as_str()) || PROJECT_RESERVED.contains(&snake.as_str()) {
        return Err(UserError::new(format!(
            "`{raw}` clashes with `{kebab}`, a package or folder the generated project already uses"
        ))
        .hint(format!("Choose another name, e.g. `{alternative}`")));
    }
    Ok(ProjectName {
        raw: raw.to_string(),
        title: raw.to_title_case(),
        kebab,
        snake,
    })
}

/// Whether `raw` can be normalised into an identifier: it starts with an ASCII letter and holds
/// only ASCII letters, digits, `-` and `_`. Project, resource and field names share this rule.
pub fn is_name_like(raw: &str) -> bool {
    raw.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && raw
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Turns an invalid name into the closest valid one, if there is one.
fn suggest(raw: &str) -> Option<String> {
    let cleaned: String = raw
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let trimmed = cleaned.trim_start_matches(|c: char| !c.is_ascii_alphabetic());
    let kebab = trimmed.to_kebab_case();
    (!kebab.is_empty()).then_some(kebab)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derives_cases() {
        let name = project_name("OrderService").unwrap();
        assert_eq!(name.kebab, "order-service");
        assert_eq!(name.snake, "order_service");
        assert_eq!(name.title, "Order Service");
        assert_eq!(
            project_name("order_service").unwrap().kebab,
            "order-service"
        );
        assert_eq!(project_name(" billing ").unwrap().raw, "billing");
    }

    #[test]
    fn refuses_empty_and_malformed() {
        assert!(project_name("").unwrap_err().message.contains("empty"));
        let err = project_name("9lives").unwrap_err();
        assert!(err.message.contains("must start with a letter"));
        assert_eq!(
            err.hint.as_deref(),
            Some("Use letters, digits, `-` and `_`, starting with a letter, e.g. `lives`")
        );
        assert!(
            project_name("my service")
                .unwrap_err()
                .hint
                .unwrap()
                .contains("`my-service`")
        );
        assert!(project_name("café").is_err());
    }

    #[test]
    fn control_characters_are_shown_escaped() {
        let err = project_name("a\u{7}b\u{1b}[31m").unwrap_err();
        assert!(
            !err.message.chars().any(char::is_control),
            "{:?}",
            err.message
        );
        assert!(
            err.message.contains("a\\u{7}b\\u{1b}[31m"),
            "{}",
            err.message
        );
    }

    #[test]
    fn refuses_overlong_names_before_anything_else() {
        let ok = "a".repeat(MAX_PROJECT_NAME_LEN);
        assert!(project_name(&ok).is_ok());
        for len in [MAX_PROJECT_NAME_LEN + 1, 240, 10_000] {
            let err = project_name(&"a".repeat(len)).unwrap_err();
            assert!(
                err.message.contains(&format!("is {len} characters")),
                "{}",
                err.message
            );
            assert!(err.message.len() < 200, "{}", err.message);
        }
        let camel = "aB".repeat(MAX_PROJECT_NAME_LEN / 2);
        assert!(
            project_name(&camel)
                .unwrap_err()
                .message
                .contains("becomes")
        );
    }

    #[test]
    fn refuses_keywords_stdlib_and_dependencies() {
        assert!(
            project_name("class")
                .unwrap_err()
                .message
                .contains("Python keyword")
        );
        assert!(
            project_name("json")
                .unwrap_err()
                .message
                .contains("standard library")
        );
        assert!(
            project_name("Flask")
                .unwrap_err()
                .message
                .contains("clashes")
        );
        assert!(project_name("sqlalchemy").is_err());
        assert!(project_name("tests").is_err());
        assert_eq!(
            project_name("celery").unwrap_err().hint.as_deref(),
            Some("Choose another name, e.g. `celery-service`")
        );
    }
}
