//! Progress bars (indicatif, on stderr), drawn only when stderr is a terminal and without `--quiet`.
//!
//! A model stage's bar counts generated chunks (a sentence, a piece of an overlong sentence, a summary chunk, a
//! summary of summaries): the stage sets its length from the texts it has to compute before the first one runs,
//! the model advances it after each generation batch (and adds the summaries a long article's next round will
//! summarize), and a steady tick keeps the elapsed time and the ETA moving between batches. Ingesting a large
//! folder counts files; `merge` counts the bytes of the shard files it reads.
//!
//! What bars are told can be recorded ([`Progress::recording`]): tests check the lengths and increments a run
//! gives without a terminal to draw on.
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Folders with fewer files than this are read without a bar (it would only flash).
pub const LARGE_FOLDER: u64 = 200;

/// How often a drawn bar redraws between steps (elapsed time, ETA).
const TICK: Duration = Duration::from_millis(200);

/// Whether bars are drawn: on a terminal, unless `--quiet`.
pub fn shows(quiet: bool, terminal: bool) -> bool {
    !quiet && terminal
}

/// One thing a bar was told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// The bar was made; `true` when it is drawn.
    Shown(bool),
    /// This many more steps to go.
    Length(u64),
    /// This many steps done.
    Advance(u64),
    /// The bar is done.
    Finish,
}

/// The steps every bar of a [`Progress`] was told, by bar name, in order.
#[derive(Debug, Clone, Default)]
pub struct Recorder(Arc<Mutex<Vec<(String, Step)>>>);

impl Recorder {
    fn push(&self, bar: &str, step: Step) {
        if let Ok(mut log) = self.0.lock() {
            log.push((bar.to_string(), step));
        }
    }

    /// Every step recorded so far.
    pub fn steps(&self) -> Vec<(String, Step)> {
        self.0.lock().map(|l| l.clone()).unwrap_or_default()
    }

    /// The steps of the bar named `bar`.
    pub fn of(&self, bar: &str) -> Vec<Step> {
        self.steps()
            .into_iter()
            .filter(|(b, _)| b == bar)
            .map(|(_, s)| s)
            .collect()
    }
}

/// One bar: drawn or hidden, its steps recorded when its [`Progress`] records.
#[derive(Debug, Clone)]
pub struct Bar {
    bar: ProgressBar,
    name: String,
    record: Option<Recorder>,
}

impl Bar {
    /// A bar nobody sees.
    pub fn hidden() -> Bar {
        Bar {
            bar: ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::hidden()),
            name: String::new(),
            record: None,
        }
    }

    fn note(&self, step: Step) {
        if let Some(r) = &self.record {
            r.push(&self.name, step);
        }
    }

    /// `n` more steps to go.
    pub fn add_length(&self, n: u64) {
        self.bar.inc_length(n);
        self.note(Step::Length(n));
    }

    /// `n` steps done.
    pub fn advance(&self, n: u64) {
        self.bar.inc(n);
        self.note(Step::Advance(n));
    }

    /// Clears the bar from the terminal.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
        self.note(Step::Finish);
    }
}

/// Makes the bars of a run.
#[derive(Debug, Clone)]
pub struct Progress {
    visible: bool,
    record: Option<Recorder>,
}

impl Progress {
    /// Bars are drawn only when stderr is a terminal and `quiet` is false.
    pub fn new(quiet: bool) -> Progress {
        Progress {
            visible: shows(quiet, std::io::stderr().is_terminal()),
            record: None,
        }
    }

    /// No bars at all.
    pub fn hidden() -> Progress {
        Progress {
            visible: false,
            record: None,
        }
    }

    /// Bars that are never drawn but whose steps are recorded; `visible` says whether they would be drawn (a
    /// terminal without `--quiet`), for the choices that depend on it.
    pub fn recording(visible: bool) -> (Progress, Recorder) {
        let record = Recorder::default();
        (
            Progress {
                visible,
                record: Some(record.clone()),
            },
            record,
        )
    }

    fn make(&self, name: &str, drawn: bool, template: &str) -> Bar {
        let drawn = drawn && self.visible;
        let shown = drawn && self.record.is_none();
        let bar = if shown {
            let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
            let style = ProgressStyle::with_template(template)
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> ");
            bar.set_style(style);
            bar.set_prefix(name.to_string());
            bar.enable_steady_tick(TICK);
            bar
        } else {
            // hidden, but counting, so its length and position can be read back
            ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::hidden())
        };
        let bar = Bar {
            bar,
            name: name.to_string(),
            record: self.record.clone(),
        };
        bar.note(Step::Shown(drawn));
        bar
    }

    /// The bar of a model stage, in generated chunks; its length comes from the stage and the model.
    pub fn stage(&self, name: &str) -> Bar {
        self.make(
            name,
            true,
            "{prefix:>18} [{bar:30}] {pos}/{len} chunks {elapsed_precise} eta {eta}",
        )
    }

    /// The bar of reading `files` files: drawn only for a large folder ([`LARGE_FOLDER`] files or more).
    pub fn files(&self, name: &str, files: u64) -> Bar {
        let bar = self.make(
            name,
            files >= LARGE_FOLDER,
            "{prefix:>18} [{bar:30}] {pos}/{len} files {elapsed_precise} eta {eta}",
        );
        bar.add_length(files);
        bar
    }

    /// The bar of reading `bytes` bytes.
    pub fn bytes(&self, name: &str, bytes: u64) -> Bar {
        let bar = self.make(
            name,
            true,
            "{prefix:>18} [{bar:30}] {bytes}/{total_bytes} {elapsed_precise} eta {eta}",
        );
        bar.add_length(bytes);
        bar
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_are_drawn_only_on_a_terminal_without_quiet() {
        assert!(shows(false, true));
        assert!(!shows(true, true));
        assert!(!shows(false, false));
        assert!(!shows(true, false));
    }

    #[test]
    fn a_small_folder_is_read_without_a_bar_and_a_large_one_with_one() {
        let (progress, record) = Progress::recording(true);
        progress.files("ingest", LARGE_FOLDER - 1);
        progress.files("ingest-large", LARGE_FOLDER);
        assert_eq!(record.of("ingest")[0], Step::Shown(false));
        assert_eq!(record.of("ingest-large")[0], Step::Shown(true));
        // with --quiet or without a terminal, nothing is drawn however large the folder
        let (quiet, record) = Progress::recording(false);
        quiet.files("ingest", 10 * LARGE_FOLDER);
        quiet.stage("summarize");
        assert_eq!(record.of("ingest")[0], Step::Shown(false));
        assert_eq!(record.of("summarize")[0], Step::Shown(false));
    }

    #[test]
    fn a_bar_records_what_it_is_told_and_counts_it() {
        let (progress, record) = Progress::recording(true);
        let bar = progress.stage("translate-fr-en");
        bar.add_length(40);
        bar.advance(16);
        bar.advance(16);
        bar.advance(8);
        bar.finish();
        assert_eq!(
            record.of("translate-fr-en"),
            vec![
                Step::Shown(true),
                Step::Length(40),
                Step::Advance(16),
                Step::Advance(16),
                Step::Advance(8),
                Step::Finish
            ]
        );
        assert_eq!(bar.bar.position(), 40);
        assert_eq!(bar.bar.length(), Some(40));
    }
}
