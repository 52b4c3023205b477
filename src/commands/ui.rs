//! The operator as the use cases see them ([`Ui`]): status on stderr through the
//! printer, questions through dialoguer on a terminal, progress through indicatif.

use std::io::IsTerminal;

use anyhow::Context;
use indicatif::ProgressBar;

use crate::ops::mutation::{Progress, Ui};
use crate::printer::Printer;
use crate::settings::Settings;

pub struct ConsoleUi<'a> {
    pub printer: &'a Printer,
    pub settings: &'a Settings,
}

struct Bar(ProgressBar);

impl Progress for Bar {
    fn set_message(&self, msg: String) {
        self.0.set_message(msg);
    }
    fn set_position(&self, done: u64) {
        self.0.set_position(done);
    }
    fn finish(&self) {
        self.0.finish_and_clear();
    }
}

impl Ui for ConsoleUi<'_> {
    fn status(&self, msg: &str) {
        self.printer.status(msg);
    }

    fn detail(&self, msg: &str) {
        self.printer.detail(msg);
    }

    fn warn(&self, msg: &str) {
        self.printer.warn(msg);
    }

    fn can_ask(&self) -> bool {
        !self.settings.no_input && std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
    }

    fn assume_yes(&self) -> bool {
        self.settings.yes
    }

    fn ask(&self, question: &str) -> anyhow::Result<bool> {
        dialoguer::Confirm::new()
            .with_prompt(question)
            .default(false)
            .interact()
            .context("cannot read the confirmation")
    }

    fn ask_typed(&self, prompt: &str, expected: &str) -> anyhow::Result<bool> {
        let answer: String = dialoguer::Input::new()
            .with_prompt(prompt)
            .allow_empty(true)
            .interact_text()
            .context("cannot read the confirmation")?;
        Ok(answer.trim().eq_ignore_ascii_case(expected))
    }

    fn progress(&self, total: Option<u64>, msg: &str) -> Box<dyn Progress> {
        Box::new(Bar(match total {
            Some(n) => self.printer.progress(n, msg),
            None => self.printer.spinner(msg),
        }))
    }
}
