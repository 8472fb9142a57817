//! Messages as toasts: a stack in the bottom-right corner of the central area, drawn above
//! the views so that a message never moves what the user is looking at or about to click.
//!
//! A note (something done, something to know) goes by itself after [`NOTE_SECONDS`], and
//! not while the pointer rests on the toasts. An error stays until dismissed: it says why
//! something the user asked for did not happen, and it must be there when they look.
//!
//! egui-notify (0.24, egui 0.37) was the ready-made choice, but it paints its toasts
//! straight onto a layer, so they are not widgets: screen readers and egui_kittest cannot
//! see them, and it keeps its own copy of the messages outside the app's one door.

use eframe::egui;
use std::time::{Duration, Instant};

use super::app::{Message, ModeldeskApp};
use super::command::Command;

/// How long a note is shown: time to read a line and a path.
pub const NOTE_SECONDS: f64 = 8.0;

/// Toasts shown at once, the newest; older ones wait behind them.
const SHOWN: usize = 5;

/// The toasts' area, whose rectangle says whether the pointer rests on it.
fn area_id() -> egui::Id {
    egui::Id::unique("message_toasts")
}

/// When a note shown since `since` goes; errors never go by themselves.
fn expires_at(message: &Message) -> Option<Instant> {
    (!message.is_error).then(|| message.since + Duration::from_secs_f64(NOTE_SECONDS))
}

/// Whether `message` has been shown long enough at `now`.
fn expired(message: &Message, now: Instant) -> bool {
    expires_at(message).is_some_and(|at| at <= now)
}

impl ModeldeskApp {
    /// Let notes shown long enough go (none while the pointer rests on the toasts), and
    /// wake the window when the next one is due.
    pub(super) fn expire_notes(&mut self, ctx: &egui::Context) {
        let now = Instant::now();
        let rested_on = ctx
            .memory(|m| m.area_rect(area_id()))
            .zip(ctx.pointer_hover_pos())
            .is_some_and(|(rect, pointer)| rect.contains(pointer));
        if rested_on {
            for message in &mut self.messages {
                message.since = now;
            }
        }
        self.messages.retain(|m| !expired(m, now));
        if let Some(next) = self.messages.iter().filter_map(expires_at).min() {
            ctx.request_repaint_after(next.saturating_duration_since(now));
        }
    }

    /// Draw the messages as toasts in the bottom-right corner of `area` (the central
    /// panel), over whatever is there.
    pub(super) fn toasts(
        &self,
        ctx: &egui::Context,
        area: egui::Rect,
        commands: &mut Vec<Command>,
    ) {
        if self.messages.is_empty() {
            return;
        }
        let margin = 12.0;
        let width = (area.width() - 2.0 * margin).clamp(160.0, 440.0);
        let first = self.messages.len().saturating_sub(SHOWN);
        egui::Area::new(area_id())
            .order(egui::Order::Foreground)
            .pivot(egui::Align2::RIGHT_BOTTOM)
            .fixed_pos(area.right_bottom() - egui::vec2(margin, margin))
            .show(ctx, |ui| {
                ui.set_max_width(width);
                if first > 0 {
                    ui.weak(format!("{first} earlier message(s) behind these"));
                }
                for (i, message) in self.messages.iter().enumerate().skip(first) {
                    toast(ui, width, i, message, commands);
                }
            });
    }
}

fn toast(
    ui: &mut egui::Ui,
    width: f32,
    index: usize,
    message: &Message,
    commands: &mut Vec<Command>,
) {
    let color = if message.is_error {
        ui.visuals().error_fg_color
    } else {
        ui.visuals().text_color()
    };
    egui::Frame::popup(ui.style())
        .stroke(egui::Stroke::new(1.0, color))
        .show(ui, |ui| {
            ui.set_width(width - 14.0);
            egui::Sides::new().shrink_left().wrap().show(
                ui,
                |ui| {
                    ui.add(
                        egui::Label::new(egui::RichText::new(&message.text).color(color)).wrap(),
                    );
                },
                |ui| {
                    if ui.small_button("Dismiss").clicked() {
                        commands.push(Command::DismissMessage(index));
                    }
                },
            );
        });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(is_error: bool, shown_for: f64, now: Instant) -> Message {
        Message {
            text: if is_error { "failed" } else { "saved" }.into(),
            is_error,
            since: now - Duration::from_secs_f64(shown_for),
        }
    }

    #[test]
    fn a_note_goes_after_its_time_and_an_error_stays_until_dismissed() {
        let now = Instant::now() + Duration::from_secs(3600);
        assert!(!expired(&message(false, NOTE_SECONDS - 1.0, now), now));
        assert!(expired(&message(false, NOTE_SECONDS + 0.1, now), now));
        assert!(!expired(&message(true, 3000.0, now), now));
    }
}
