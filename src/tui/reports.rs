//! State of the Reports screen: the report and period chosen, the dates typed by hand, and
//! the report being computed on a background thread.
//!
//! The worker thread borrows the store for the lifetime of the app (a scoped thread started
//! by the event loop), keeps the facts between requests, and sends each result back over a
//! channel. Without a worker, as in tests, reports are computed on the calling thread.

use super::app::NavKey;
use super::keymap::Command;
use super::screen::{ScreenContext, ScreenState};
use crate::domain::ClubTime;
use crate::reports::{self, Facts, Names, Period, Preset, Report, ReportKind, Stop};
use crate::store::{Store, StoreError};
use chrono::NaiveDate;
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::Instant;
use tui_input::{Input, InputRequest};

/// Chart or table of the same figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Chart,
    Table,
}

/// The two date fields of a period typed by hand.
#[derive(Debug, Clone)]
pub struct DatesForm {
    pub first: Input,
    pub last: Input,
    pub on_last: bool,
    pub error: Option<String>,
    /// The choice to go back to when the form is closed without computing.
    preset_before: Preset,
}

impl Default for DatesForm {
    fn default() -> DatesForm {
        DatesForm {
            first: Input::default(),
            last: Input::default(),
            on_last: false,
            error: None,
            preset_before: Preset::ThisSeason,
        }
    }
}

impl DatesForm {
    fn focused(&mut self) -> &mut Input {
        if self.on_last {
            &mut self.last
        } else {
            &mut self.first
        }
    }
}

/// The state of the report shown.
#[derive(Debug)]
pub enum Status {
    Idle,
    Computing { since: Instant },
    Ready { report: Box<Report>, names: Names },
    Failed(String),
}

struct Request {
    id: u64,
    period: Period,
    club: ClubTime,
    stop: Stop,
}

/// What the app asks of the worker thread.
enum Job {
    Compute(Request),
    /// Staff left Reports: the worker drops the facts (the cards, 13 MB for 200,000), and
    /// the next request reads them again from the facts file.
    Release,
}

struct Response {
    id: u64,
    result: Result<(Box<Report>, Names), StoreError>,
}

/// The app's end of the worker thread's channels.
pub struct ReportWorker {
    jobs: Sender<Job>,
    responses: Receiver<Response>,
    /// Whether the worker may hold facts, that is whether a request went since the last release.
    holds_facts: bool,
    /// Stops the requests sent since the last release.
    stop: Stop,
}

/// Starts the worker thread in `scope`. It ends when the [`ReportWorker`] is dropped.
pub fn spawn_worker<'scope>(
    scope: &'scope std::thread::Scope<'scope, '_>,
    store: &'scope Store,
) -> ReportWorker {
    let (jobs, job_rx) = channel::<Job>();
    let (response_tx, responses) = channel::<Response>();
    scope.spawn(move || {
        let mut loaded: Option<Facts> = None;
        while let Ok(mut job) = job_rx.recv() {
            // Only the newest job matters when several are queued: a request that a release
            // follows was for a screen left since, and opening Reports again sends a new one.
            while let Ok(newer) = job_rx.try_recv() {
                job = newer;
            }
            let request = match job {
                Job::Compute(request) => request,
                Job::Release => {
                    loaded = None;
                    continue;
                }
            };
            let stop = &request.stop;
            let result =
                reports::compute_with(&mut loaded, store, request.period, &request.club, stop)
                    .map(|(report, names)| (Box::new(report), names));
            if stop.is_stopped() {
                // Staff left Reports, so the report is incomplete and no longer expected.
                loaded = None;
                continue;
            }
            if response_tx
                .send(Response {
                    id: request.id,
                    result,
                })
                .is_err()
            {
                break;
            }
        }
    });
    ReportWorker {
        jobs,
        responses,
        holds_facts: false,
        stop: Stop::default(),
    }
}

pub struct ReportsState {
    pub kind: ReportKind,
    pub preset: Preset,
    pub period: Option<Period>,
    pub view: View,
    pub scroll: u16,
    pub dates: Option<DatesForm>,
    pub status: Status,
    /// The path of the last export, or why it failed.
    pub message: Option<String>,
    pub export_folder: PathBuf,
    club: ClubTime,
    worker: Option<ReportWorker>,
    request_id: u64,
}

impl ReportsState {
    pub fn new(club: ClubTime, export_folder: PathBuf) -> ReportsState {
        ReportsState {
            kind: ReportKind::Usage,
            preset: Preset::ThisSeason,
            period: None,
            view: View::Chart,
            scroll: 0,
            dates: None,
            status: Status::Idle,
            message: None,
            export_folder,
            club,
            worker: None,
            request_id: 0,
        }
    }

    pub fn attach(&mut self, worker: ReportWorker) {
        self.worker = Some(worker);
    }

    pub fn is_computing(&self) -> bool {
        matches!(self.status, Status::Computing { .. })
    }

    /// Computes the chosen period's reports again when the screen opens, so they include the
    /// check-ins and sales made since.
    pub fn open(&mut self, store: &Store, today: NaiveDate) {
        match (self.preset, self.period) {
            (Preset::Dates, Some(period)) => self.request(period, store),
            (preset, _) => self.choose(preset, store, today),
        }
    }

    fn choose(&mut self, preset: Preset, store: &Store, today: NaiveDate) {
        match Period::of_preset(preset, today) {
            Some(period) => {
                self.preset = preset;
                self.request(period, store);
            }
            None => self.open_dates(),
        }
    }

    fn open_dates(&mut self) {
        if self.dates.is_some() {
            return;
        }
        let mut form = DatesForm {
            preset_before: self.preset,
            ..DatesForm::default()
        };
        if let Some(period) = self.period {
            form.first = Input::new(period.first.format("%d/%m/%Y").to_string());
            form.last = Input::new(period.last.format("%d/%m/%Y").to_string());
        }
        self.preset = Preset::Dates;
        self.dates = Some(form);
    }

    /// Starts computing `period`'s reports: on the worker when there is one, else at once.
    pub fn request(&mut self, period: Period, store: &Store) {
        self.period = Some(period);
        self.scroll = 0;
        self.request_id += 1;
        if let Some(worker) = &mut self.worker {
            let sent = worker.jobs.send(Job::Compute(Request {
                id: self.request_id,
                period,
                club: self.club,
                stop: worker.stop.clone(),
            }));
            worker.holds_facts = true;
            if sent.is_ok() {
                self.status = Status::Computing {
                    since: Instant::now(),
                };
                return;
            }
            // The worker stopped: compute here rather than show nothing.
            self.worker = None;
        }
        self.status = match reports::compute_from_store(store, period, &self.club) {
            Ok((report, names)) => Status::Ready {
                report: Box::new(report),
                names,
            },
            Err(error) => Status::Failed(error.to_string()),
        };
    }

    /// Has the worker drop the facts when staff leave the screen; the report shown stays.
    pub fn release(&mut self) {
        if let Some(worker) = self.worker.as_mut().filter(|worker| worker.holds_facts) {
            // A report still computing stops, so its facts go now rather than when it ends.
            std::mem::take(&mut worker.stop).stop();
            // A worker that stopped holds nothing; the next request finds out.
            let _ = worker.jobs.send(Job::Release);
            worker.holds_facts = false;
        }
    }

    /// Takes the worker's result for the newest request, if it has arrived.
    pub fn poll(&mut self, catalog: &crate::i18n::Catalog) {
        let Some(worker) = &self.worker else {
            return;
        };
        while let Ok(response) = worker.responses.try_recv() {
            if response.id != self.request_id {
                continue;
            }
            self.status = match response.result {
                Ok((report, names)) => Status::Ready { report, names },
                Err(error) => {
                    tracing::error!(%error, "report failed");
                    Status::Failed(crate::messages::store_error(catalog, &error))
                }
            };
        }
    }

    pub fn report(&self) -> Option<(&Report, &Names)> {
        match &self.status {
            Status::Ready { report, names } => Some((report, names)),
            _ => None,
        }
    }

    fn step_preset(&mut self, forward: bool, store: &Store, today: NaiveDate) {
        let count = Preset::ALL.len();
        let index = Preset::ALL
            .iter()
            .position(|preset| *preset == self.preset)
            .unwrap_or(0);
        let next = if forward {
            (index + 1) % count
        } else {
            (index + count - 1) % count
        };
        self.choose(Preset::ALL[next], store, today);
    }

    fn step_kind(&mut self, forward: bool) {
        let count = ReportKind::ALL.len();
        let index = ReportKind::ALL
            .iter()
            .position(|kind| *kind == self.kind)
            .unwrap_or(0);
        let next = if forward {
            (index + 1) % count
        } else {
            (index + count - 1) % count
        };
        self.kind = ReportKind::ALL[next];
        self.scroll = 0;
    }

    fn submit_dates(&mut self, context: &ScreenContext) {
        let Some(form) = &mut self.dates else {
            return;
        };
        match Period::parse(form.first.value(), form.last.value()) {
            Ok(period) => {
                self.dates = None;
                self.request(period, context.store);
            }
            Err(error) => {
                form.error = Some(reports::period::message(context.catalog, &error));
            }
        }
    }

    fn export(&mut self, catalog: &crate::i18n::Catalog) {
        let Some((report, names)) = self.report() else {
            self.message = Some(catalog.t("reports.nothing_to_export").to_owned());
            return;
        };
        let saved =
            reports::export::save_csv(&self.export_folder, report, self.kind, names, catalog);
        self.message = Some(match saved {
            Ok(path) => {
                tracing::info!(report = self.kind.code(), "report exported");
                catalog.tf("reports.exported", &[("path", &path.display())])
            }
            Err(error) => catalog.tf(
                "reports.export_failed",
                &[
                    ("folder", &self.export_folder.display()),
                    ("detail", &error),
                ],
            ),
        });
    }
}

impl ScreenState for ReportsState {
    fn takes_text(&self) -> bool {
        self.dates.is_some()
    }

    fn insert(&mut self, c: char) {
        if let Some(form) = &mut self.dates {
            form.focused().handle(InputRequest::InsertChar(c));
        }
    }

    fn delete_back(&mut self) {
        if let Some(form) = &mut self.dates {
            form.focused().handle(InputRequest::DeletePrevChar);
        }
    }

    fn tab(&mut self, forward: bool) {
        match &mut self.dates {
            Some(form) => form.on_last = !form.on_last,
            None => self.step_kind(forward),
        }
    }

    fn navigate(&mut self, key: NavKey) {
        if let Some(form) = &mut self.dates {
            super::fields::edit_cursor(form.focused(), key);
            return;
        }
        self.scroll = match key {
            NavKey::Up => self.scroll.saturating_sub(1),
            NavKey::Down => self.scroll.saturating_add(1),
            NavKey::PageUp => self.scroll.saturating_sub(10),
            NavKey::PageDown => self.scroll.saturating_add(10),
            NavKey::Home => 0,
            _ => self.scroll,
        };
    }

    fn cancel(&mut self) -> bool {
        match self.dates.take() {
            Some(form) => {
                // Back to the choice whose period is still shown, unless none was computed.
                self.preset = if self.period.is_some() {
                    form.preset_before
                } else {
                    Preset::ThisSeason
                };
                true
            }
            None => false,
        }
    }

    fn submit(&mut self, context: &ScreenContext) -> Result<(), StoreError> {
        if self.dates.is_some() {
            self.submit_dates(context);
        } else if let Some(period) = self.period {
            self.request(period, context.store);
        }
        Ok(())
    }

    fn command(&mut self, command: Command, context: &ScreenContext) -> Result<(), StoreError> {
        match command {
            Command::SwitchView => {
                self.view = match self.view {
                    View::Chart => View::Table,
                    View::Table => View::Chart,
                };
                self.scroll = 0;
            }
            Command::Export => self.export(context.catalog),
            Command::TypeDates => self.open_dates(),
            Command::NextPeriod => self.step_preset(true, context.store, context.today),
            Command::PreviousPeriod => self.step_preset(false, context.store, context.today),
            _ => {}
        }
        Ok(())
    }
}
