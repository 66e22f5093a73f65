//! `cargo xtask ci`'s `openapi` step (also `cargo xtask openapi-check`): the service's OpenAPI
//! document, exported and checked by a third-party validator.
//!
//! It builds the debug binary, starts it on the embedded default in dev mode on a free port
//! (its dev key written under `target/openapi/`, not over a running dev instance's), and writes
//! what `GET /openapi.json` answers to `target/openapi/openapi.json`, the document a client
//! generator can be given. Then [openapi-spec-validator] checks it against the JSON Schema of the
//! OpenAPI version it declares, with its semantic checks besides (unique `operationId`s, path
//! parameters declared, references that resolve, ...), reporting every error, not the first.
//!
//! openapi-spec-validator is pinned ([`VALIDATOR_VERSION`]) and installed from PyPI into its own
//! venv when missing, in the user's tool cache (`$XDG_CACHE_HOME` or `~/.cache`, under
//! `campaign-service/tools/`) where every clone on the machine finds it, or in `target/tools/`
//! when there is no home folder.
//!
//! [openapi-spec-validator]: https://pypi.org/project/openapi-spec-validator/

use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail, ensure};
use serde_json::Value;

use crate::bench::{self, Service, wait_ready};
use crate::services::free_port;
use crate::{cmd, deny, deploy};

/// The openapi-spec-validator release installed from PyPI.
const VALIDATOR_VERSION: &str = "0.9.0";

/// The ci step: export the document, install the validator when missing, validate.
pub fn run(root: &Path) -> anyhow::Result<()> {
    let document = export(root)?;
    let validator = install(root)?;
    let text = std::fs::read_to_string(&document)
        .with_context(|| format!("cannot read {}", document.display()))?;
    let schema = schema_version(&serde_json::from_str(&text)?)?;
    let document_arg = document.to_string_lossy().into_owned();
    cmd::run(
        root,
        validator,
        &[
            "--schema",
            schema,
            "--validation-errors",
            "all",
            "--subschema-errors",
            "all",
            &document_arg,
        ],
    )
    .with_context(|| {
        format!(
            "{} is not a valid OpenAPI {schema} document",
            document.display()
        )
    })
}

/// Builds and starts the service, and writes its `/openapi.json` to
/// `target/openapi/openapi.json`; returns that path.
fn export(root: &Path) -> anyhow::Result<PathBuf> {
    cmd::run(
        root,
        cmd::cargo(),
        &["build", "--locked", "-p", "campaign-api"],
    )?;
    let work = root.join("target/openapi");
    std::fs::create_dir_all(&work).with_context(|| format!("cannot create {}", work.display()))?;
    let port = free_port()?;
    let mut service = Service::start_binary(
        &root.join("target/debug/campaign-service"),
        port,
        "warn",
        &work,
        &[("TMPDIR".to_owned(), work.to_string_lossy().into_owned())],
    )?;
    let fetched =
        wait_ready(port).and_then(|()| bench::http(port, "GET", "/openapi.json", None, None));
    service.stop();
    let (status, body) = fetched.with_context(|| {
        format!(
            "cannot get /openapi.json from the service (its log: {})",
            work.join("service.log").display()
        )
    })?;
    ensure!(status == 200, "GET /openapi.json answered {status}: {body}");
    let document: Value =
        serde_json::from_str(&body).context("GET /openapi.json answered something not JSON")?;
    let path = work.join("openapi.json");
    std::fs::write(&path, serde_json::to_string_pretty(&document)? + "\n")
        .with_context(|| format!("cannot write {}", path.display()))?;
    println!("wrote {}", path.display());
    Ok(path)
}

/// The validator's `--schema` for the version a document declares in `openapi` (`3.1.0` →
/// `3.1`): the document is checked against what it claims to be, never a guess.
fn schema_version(document: &Value) -> anyhow::Result<&'static str> {
    let Some(declared) = document.get("openapi").and_then(Value::as_str) else {
        bail!("the document declares no `openapi` version");
    };
    let mut parts = declared.split('.');
    let version = match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some("3"), Some("0"), Some(patch), None) if is_number(patch) => "3.0",
        (Some("3"), Some("1"), Some(patch), None) if is_number(patch) => "3.1",
        (Some("3"), Some("2"), Some(patch), None) if is_number(patch) => "3.2",
        _ => bail!("`openapi: {declared}` is not an OpenAPI 3.0, 3.1 or 3.2 version"),
    };
    Ok(version)
}

fn is_number(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

/// openapi-spec-validator in its own venv, installed from PyPI when missing.
fn install(root: &Path) -> anyhow::Result<PathBuf> {
    let venv = deny::shared_tools_dir()
        .unwrap_or_else(|| deploy::tools_dir(root))
        .join(format!("openapi-spec-validator-{VALIDATOR_VERSION}"));
    let binary = venv.join("bin/openapi-spec-validator");
    if binary.is_file() {
        return Ok(binary);
    }
    println!(
        "installing openapi-spec-validator {VALIDATOR_VERSION} (PyPI) into {}",
        venv.display()
    );
    let venv_arg = venv.to_string_lossy().into_owned();
    cmd::run(root, "python3", &["-m", "venv", "--clear", &venv_arg])
        .context("cannot make a venv (python3 with venv; Debian: apt-get install python3-venv)")?;
    let requirement = format!("openapi-spec-validator=={VALIDATOR_VERSION}");
    cmd::run(
        root,
        venv.join("bin/pip"),
        &[
            "install",
            "--quiet",
            "--disable-pip-version-check",
            &requirement,
        ],
    )
    .with_context(|| format!("cannot install {requirement} from PyPI"))?;
    ensure!(
        binary.is_file(),
        "{requirement} installed no openapi-spec-validator command"
    );
    Ok(binary)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_schema_is_the_version_the_document_declares() {
        assert_eq!(schema_version(&json!({"openapi": "3.1.0"})).unwrap(), "3.1");
        assert_eq!(schema_version(&json!({"openapi": "3.0.3"})).unwrap(), "3.0");
        assert_eq!(schema_version(&json!({"openapi": "3.2.0"})).unwrap(), "3.2");
    }

    #[test]
    fn a_document_without_a_known_openapi_version_is_refused() {
        for document in [
            json!({}),
            json!({"openapi": 3.1}),
            json!({"swagger": "2.0"}),
            json!({"openapi": "3.1"}),
            json!({"openapi": "3.1.0.1"}),
            json!({"openapi": "3.1.x"}),
            json!({"openapi": "4.0.0"}),
        ] {
            assert!(schema_version(&document).is_err(), "{document}");
        }
    }
}
