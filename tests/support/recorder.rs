//! A server that records every request it gets (`support/recorder.py`), over HTTP or over
//! HTTPS with a certificate of a throwaway authority: the tests that prove a token never
//! reaches a host point something at one and read what it got.

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// A certificate authority made for one test (`openssl`), trusted only by the processes
/// given `SSL_CERT_FILE` = [`ThrowawayCa::ca_file`].
pub struct ThrowawayCa {
    dir: tempfile::TempDir,
}

/// `openssl ARGS` (split at spaces) in `dir`.
fn openssl(dir: &Path, args: &str) {
    let out = Command::new("openssl")
        .args(args.split_whitespace())
        .current_dir(dir)
        .output()
        .expect("openssl runs");
    assert!(out.status.success(), "openssl {args}: {}", String::from_utf8_lossy(&out.stderr));
}

const NEW_KEY: &str = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";

impl ThrowawayCa {
    pub fn new() -> ThrowawayCa {
        let dir = tempfile::tempdir().unwrap();
        openssl(
            dir.path(),
            &format!(
                "req -x509 {NEW_KEY} -keyout ca.key -out ca.pem -days 2 \
                 -subj /CN=codemyspec-throwaway-test-ca -addext keyUsage=critical,keyCertSign"
            ),
        );
        ThrowawayCa { dir }
    }

    /// The authority's certificate (PEM), for `SSL_CERT_FILE`.
    pub fn ca_file(&self) -> PathBuf {
        self.dir.path().join("ca.pem")
    }

    /// A server certificate and key (PEM files) for the IP address `ip`, signed by this CA.
    pub fn server_cert(&self, ip: &str) -> (PathBuf, PathBuf) {
        let d = self.dir.path();
        let ext = format!(
            "subjectAltName=IP:{ip}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"
        );
        std::fs::write(d.join(format!("{ip}.ext")), ext).unwrap();
        openssl(d, &format!("req -new {NEW_KEY} -keyout {ip}.key -out {ip}.csr -subj /CN={ip}"));
        openssl(
            d,
            &format!(
                "x509 -req -in {ip}.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
                 -out {ip}.pem -days 2 -extfile {ip}.ext"
            ),
        );
        (d.join(format!("{ip}.pem")), d.join(format!("{ip}.key")))
    }
}

impl Default for ThrowawayCa {
    fn default() -> Self {
        Self::new()
    }
}

/// The recording server.
pub struct Recorder {
    child: Child,
    dir: tempfile::TempDir,
    scheme: &'static str,
    pub address: String,
    pub port: u16,
}

impl Recorder {
    /// Plain HTTP on `address`, answering 401 with a Basic challenge.
    pub fn http(address: &str) -> Recorder {
        Self::spawn("http", address, &[])
    }

    /// HTTPS on the IP `address` with a certificate of `ca`, answering 401.
    pub fn https(address: &str, ca: &ThrowawayCa) -> Recorder {
        let (cert, key) = ca.server_cert(address);
        let (cert, key) = (cert.display().to_string(), key.display().to_string());
        Self::spawn("https", address, &["--tls", &cert, &key])
    }

    /// Plain HTTP on `address`, redirecting every request to the same path under `to`.
    pub fn redirecting(address: &str, to: &str) -> Recorder {
        Self::spawn("http", address, &["--redirect", to])
    }

    fn spawn(scheme: &'static str, address: &str, extra: &[&str]) -> Recorder {
        let dir = tempfile::tempdir().unwrap();
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("support/recorder.py");
        let mut child = Command::new("python3")
            .arg(script)
            .arg(address)
            .arg(dir.path().join("requests.jsonl"))
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 runs the recorder");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let port = line.trim().parse().expect("the recorder prints its port");
        Recorder { child, dir, scheme, address: address.to_owned(), port }
    }

    /// `SCHEME://ADDRESS:PORT`.
    pub fn url(&self) -> String {
        format!("{}://{}", self.scheme, self.host())
    }

    /// `ADDRESS:PORT`, as tokens are kept per host.
    pub fn host(&self) -> String {
        format!("{}:{}", self.address, self.port)
    }

    /// Every request it got so far: method, path, headers and a decoded Basic `basic`.
    pub fn requests(&self) -> Vec<serde_json::Value> {
        let text =
            std::fs::read_to_string(self.dir.path().join("requests.jsonl")).unwrap_or_default();
        text.lines().map(|l| serde_json::from_str(l).expect("a JSON line")).collect()
    }

    /// The requests that carried `token`, in any header or as a Basic password.
    pub fn carrying(&self, token: &str) -> Vec<serde_json::Value> {
        self.requests()
            .into_iter()
            .filter(|r| {
                let in_header = r["headers"].as_object().is_some_and(|h| {
                    h.values().any(|v| v.as_str().is_some_and(|v| v.contains(token)))
                });
                in_header || r["basic"].as_str().is_some_and(|b| b.contains(token))
            })
            .collect()
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
