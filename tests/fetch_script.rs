//! scripts/fetch-models.sh against a stand-in for the Hugging Face Hub: a local HTTP server (python3 -m
//! http.server on 127.0.0.1) serving the tiny fixture models in the Hub's `<repo>/resolve/<revision>/<file>`
//! layout. This exercises the script's downloads, its pytorch_model.bin fallback, 404 handling and the import;
//! the real Hub is not reachable from here.
mod common;

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.path().is_file() {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

#[test]
fn fetch_models_downloads_and_imports_from_a_hub_layout() {
    let tmp = tempfile::tempdir().unwrap();
    let hub = tmp.path().join("hub");
    let fr_en = hub.join("Helsinki-NLP/opus-mt-fr-en/resolve/main");
    copy_dir(&common::fixtures().join("models/marian-fr-en"), &fr_en);
    // this repo only has the pickle weights: the script must fall back to pytorch_model.bin
    std::fs::remove_file(fr_en.join("model.safetensors")).unwrap();
    std::fs::copy(
        common::fixtures().join("models/pytorch-bin/marian-fr-en/pytorch_model.bin"),
        fr_en.join("pytorch_model.bin"),
    )
    .unwrap();
    copy_dir(
        &common::fixtures().join("models/bart-cnn"),
        &hub.join("sshleifer/distilbart-cnn-12-6/resolve/main"),
    );

    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let _server = Server(
        Command::new("python3")
            .args([
                "-m",
                "http.server",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
            ])
            .current_dir(&hub)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 is needed for this test"),
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "the local hub did not start");
        std::thread::sleep(Duration::from_millis(100));
    }

    let models = tmp.path().join("models");
    let run = Command::new("bash")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/fetch-models.sh"))
        .args(["translate-fr-en", "summarize-en"])
        .env("HF_ENDPOINT", format!("http://127.0.0.1:{port}"))
        .env("TANDEM", env!("CARGO_BIN_EXE_tandem"))
        .env("MODELS_DIR", &models)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "stdout: {stdout}\nstderr: {stderr}");
    assert!(stdout.contains("translate-fr-en: installed"), "{stdout}");
    assert!(stdout.contains("summarize-en: installed"), "{stdout}");
    assert!(stdout.contains("translate-en-fr: missing"), "{stdout}");
    let record = std::fs::read_to_string(models.join("opus-mt-fr-en/tandem-import.json")).unwrap();
    assert!(
        record.contains("\"source\": \"Helsinki-NLP/opus-mt-fr-en@main\""),
        "{record}"
    );
    assert!(record.contains("pytorch_model.bin"), "{record}");
}
