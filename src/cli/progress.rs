//! Progress bars on stderr, only when stderr is a terminal.

use indicatif::{ProgressBar, ProgressStyle};
use postura::pipeline::{Progress, Stage};

/// Draws one bar per stage.
pub struct Bar {
    enabled: bool,
    bar: Option<(Stage, ProgressBar)>,
}

impl Bar {
    /// A bar that draws only if `enabled`.
    pub fn new(enabled: bool) -> Self {
        Self { enabled, bar: None }
    }

    /// Clears the bar.
    pub fn finish(&mut self) {
        if let Some((_, bar)) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

impl Progress for Bar {
    fn update(&mut self, stage: Stage, done: u64, total: u64) {
        if !self.enabled {
            return;
        }
        if self.bar.as_ref().is_none_or(|(s, _)| *s != stage) {
            self.finish();
            let bar = ProgressBar::new(total);
            let label = match stage {
                Stage::Ports => "ports   ",
                Stage::Services => "services",
                Stage::Udp => "udp     ",
            };
            bar.set_style(
                ProgressStyle::with_template(&format!(
                    "{label} [{{bar:40}}] {{pos}}/{{len}} ({{per_sec}}, {{eta}} left)"
                ))
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
            );
            self.bar = Some((stage, bar));
        }
        if let Some((_, bar)) = &self.bar {
            bar.set_length(total);
            bar.set_position(done);
        }
    }
}
